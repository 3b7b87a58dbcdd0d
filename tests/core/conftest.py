"""Helpers for the bill, number-plan and profile tests: the shared samples and their
expected summaries (``../shared/samples/expected/*.json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.erlang import channels_for
from app.core.usage import UsageProfile

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

SAMPLE_OPTIONS: dict[str, dict[str, Any]] = {
    "asterisk-master-shanghai": {"country": "CN", "area_codes": ["21"], "outside_prefix": "9"},
    "freeswitch-master-shanghai": {"country": "CN", "area_codes": ["21"], "outside_prefix": "9"},
    "carrier-itemized-shanghai": {"country": "CN", "area_codes": ["21"]},
    "carrier-itemized-newyork": {"country": "US", "area_codes": ["212"]},
}


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / f"{name}.csv").read_bytes()


def summarise(profile: UsageProfile, *, pbx: bool) -> dict[str, Any]:
    """A profile in the shape of the samples' expected/*.json (see samples/README.md)."""
    categories: dict[str, dict[str, Any]] = {}
    international: dict[str, int] = {}
    for usage in profile.categories:
        key = f"{usage.direction.value}/{usage.category.value}"
        entry = categories.setdefault(
            key, {"calls": 0, "answered_calls": 0, "billable_seconds": 0, "billed_cost": None}
        )
        entry["calls"] += usage.calls
        entry["answered_calls"] += usage.answered_calls
        entry["billable_seconds"] += usage.billable_seconds
        if usage.billed_cost is not None:
            entry["billed_cost"] = (entry["billed_cost"] or 0) + usage.billed_cost
        if usage.category.value == "international":
            country_key = f"{usage.direction.value}/{usage.country}"
            international[country_key] = international.get(country_key, 0) + usage.billable_seconds
    for entry in categories.values():
        if entry["billed_cost"] is not None:
            entry["billed_cost"] = float(entry["billed_cost"])
    summary: dict[str, Any] = {
        "calls": profile.totals.calls,
        "answered_calls": profile.totals.answered_calls,
        "billable_seconds": profile.totals.billable_seconds,
        "categories": categories,
        "international_seconds_by_country": international,
        "busy_hour_erlangs": profile.busy_hour_erlangs,
        "peak_concurrent_calls": profile.peak_concurrent_calls,
        "erlang_channels_1pct": channels_for(profile.busy_hour_erlangs, 0.01),
        "recommended_channels": profile.recommended_channels.channels,
    }
    if pbx:
        summary["distinct_extensions"] = profile.distinct_extensions
        summary["distinct_dids"] = profile.distinct_dids
    return summary
