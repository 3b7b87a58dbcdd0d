"""Page forms → core models: the client step and the options step's scenario."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field, field_validator

from app.core.fit import FitAnswers
from app.services.proposals import DEFAULT_NAMES

PERCENT = Decimal(100)


class ClientInfo(BaseModel):
    """The client step: who the client is and how their PBX dials out."""

    name: str = Field(min_length=1, max_length=200)
    industry: str = Field("", max_length=100)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    area_codes: str = Field("", max_length=100, pattern=r"^[0-9, ]*$")
    outside_prefix: str = Field("", max_length=3, pattern=r"^[0-9]*$")
    extensions: str = Field("", max_length=200, pattern=r"^[0-9,\- ]*$")
    seats: int = Field(ge=1, le=100_000)
    sites: int = Field(1, ge=1, le=10_000)

    @field_validator("country", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


def _decimal(form: Mapping[str, Any], key: str, default: str | None = None) -> Decimal | None:
    raw = str(form.get(key, "") or "").strip().replace(",", ".")
    if not raw:
        return Decimal(default) if default is not None else None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise FormError(key, "not a number") from None


class FormError(ValueError):
    """A form field that cannot be read; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _pct(form: Mapping[str, Any], key: str, default: str | None = "0") -> Decimal | None:
    value = _decimal(form, key, default)
    return None if value is None else value / PERCENT


def _int(form: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    raw = str(form.get(key, "") or "").strip()
    if not raw:
        return default
    try:
        return int(Decimal(raw))
    except (InvalidOperation, ValueError):
        raise FormError(key, "not a whole number") from None


def scenario_from_form(
    form: Mapping[str, Any], tariff_lists: Mapping[int, list[str]], alternatives: int
) -> dict[str, Any]:
    """The scenario dict (``Scenario``'s input) from the options form; ``tariff_lists``
    holds each alternative's ticked tariff ids (multi-valued fields)."""
    scenario: dict[str, Any] = {
        "horizon_months": _int(form, "horizon_months", 60),
        "discount_rate_annual": _pct(form, "discount_rate_pct", "8"),
        "seats": _int(form, "seats"),
        "sites": _int(form, "sites", 1),
        "seat_growth_annual": _pct(form, "seat_growth_pct"),
        "usage_growth_annual": _pct(form, "usage_growth_pct", None),
        "price_escalation_annual": _pct(form, "escalation_pct"),
        "payback_target_months": _int(form, "payback_target_months", None),
        "status_quo": {
            "name": str(form.get("sq_name") or DEFAULT_NAMES["today"]),
            "tariff": str(form.get("sq_tariff") or "") or None,
            "lines": _int(form, "sq_lines", None),
        },
        "alternatives": [],
    }
    start = str(form.get("start_month") or "").strip()
    if start:
        scenario["start_month"] = start
    upkeep = _decimal(form, "sq_pbx_upkeep", None)
    if upkeep:
        scenario["status_quo"]["recurring"] = [
            {
                "name": "Upkeep of the current PBX",
                "amount": upkeep,
                "component": "maintenance",
                "escalates": False,
            }
        ]
    upgrade_cost = _decimal(form, "sq_upgrade_cost", None)
    upgrade_month = _int(form, "sq_upgrade_month", None)
    if upgrade_cost and upgrade_month is not None:
        scenario["status_quo"]["one_time"] = [
            {
                "name": "Forced upgrade of the current PBX",
                "amount": upgrade_cost,
                "month": upgrade_month,
            }
        ]
    for i in range(alternatives):
        p = f"alt{i}-"
        if not form.get(p + "enabled"):
            continue
        mode = str(form.get(p + "financing") or "buy")
        scenario["alternatives"].append(
            {
                "name": str(form.get(p + "name") or f"Option {i + 1}"),
                "kind": str(form.get(p + "kind") or "other"),
                "tariffs": list(tariff_lists.get(i, [])),
                "discount_pct": _decimal(form, p + "discount_pct", "0"),
                "financing": {
                    "mode": mode,
                    "rate_annual": _pct(form, p + "lease_rate_pct"),
                    "term_months": _int(form, p + "lease_term", 36),
                },
                "migration": {
                    "parallel_months": _int(form, p + "parallel_months", 0),
                    "training": _decimal(form, p + "training", "0"),
                    "porting_per_number": _decimal(form, p + "porting_per_number", "0"),
                    "early_termination_fee": _decimal(form, p + "early_termination_fee", "0"),
                },
            }
        )
    return scenario


def fit_from_form(form: Mapping[str, Any]) -> FitAnswers:
    """The fit-check answers (blank = not answered)."""
    values = {k[4:]: v for k, v in form.items() if k.startswith("fit-") and v not in ("", None)}
    return FitAnswers.model_validate(values)
