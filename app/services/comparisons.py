"""Comparisons from stored analyses and database tariffs (pinned or latest versions)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.scenarios import Comparison, Scenario, ScenarioError, compare
from app.core.usage import UsageProfile
from app.services import tariffs


@dataclass(frozen=True)
class Priced:
    """A comparison and the tariff versions it used."""

    comparison: Comparison
    versions: dict[str, int]


def tariff_fields(scenario: Scenario) -> dict[str, str]:
    """Each tariff id the scenario names, with the field that names it (first mention)."""
    fields: dict[str, str] = {}
    if scenario.status_quo.tariff:
        fields[scenario.status_quo.tariff] = "scenario.status_quo.tariff"
    for i, alternative in enumerate(scenario.alternatives):
        for j, tariff_id in enumerate(alternative.tariffs):
            fields.setdefault(tariff_id, f"scenario.alternatives[{i}].tariffs[{j}]")
    return fields


def run(
    db: Session,
    scenario: Scenario,
    profile: UsageProfile,
    pinned_versions: dict[str, int] | None = None,
) -> Priced:
    """Price ``scenario`` on ``profile``: tariffs at ``pinned_versions`` where given (a
    saved proposal), else their latest. Raises ``ScenarioError`` naming the field."""
    pins = pinned_versions or {}
    refs: dict[str, int | None] = {}
    for tariff_id, field in tariff_fields(scenario).items():
        refs[tariff_id] = pins.get(tariff_id)
        try:
            tariffs.content_of(db, tariff_id, refs[tariff_id])
        except KeyError:
            raise ScenarioError(
                field, f"unknown tariff {tariff_id!r}", "unknown_tariff", {"tariff": tariff_id}
            ) from None
    loaded = tariffs.pinned(db, refs)
    versions = {tariff_id: p.version for tariff_id, p in loaded.items()}
    result = compare(
        scenario,
        profile,
        {tariff_id: p.tariff for tariff_id, p in loaded.items()},
        versions=versions,
    )
    return Priced(result, versions)
