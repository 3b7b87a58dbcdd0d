"""The fit check: beyond cost, does an on-prem IP-PBX or a hosted PBX suit the client?

Each answer favours one kind (or neither) for a stated reason; the pages translate the
reason codes. The cheapest option is not always the right one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Favours = Literal["onprem", "hosted", "neutral"]


class FitAnswers(BaseModel):
    """What the rep fills in with the client (every answer optional)."""

    control: Literal["low", "medium", "high"] | None = None
    it_staff: Literal["yes", "no"] | None = None
    remote_share_pct: int | None = Field(None, ge=0, le=100)
    growth: Literal["shrinking", "stable", "fast"] | None = None
    integrations: Literal["none", "standard", "custom"] | None = None
    budget: Literal["capex", "opex"] | None = None


class FitPoint(BaseModel):
    question: str
    favours: Favours
    reason: str


class FitSummary(BaseModel):
    points: list[FitPoint]
    onprem: int
    hosted: int
    leaning: Favours


REMOTE_THRESHOLD_PCT = 30


def _control(value: str) -> tuple[Favours, str]:
    if value == "high":
        return "onprem", "control_high"
    return ("hosted", "control_low") if value == "low" else ("neutral", "control_medium")


def _it_staff(value: str) -> tuple[Favours, str]:
    return ("onprem", "it_staff_yes") if value == "yes" else ("hosted", "it_staff_no")


def _remote(value: int) -> tuple[Favours, str]:
    if value >= REMOTE_THRESHOLD_PCT:
        return "hosted", "remote_high"
    return "neutral", "remote_low"


def _growth(value: str) -> tuple[Favours, str]:
    if value == "fast":
        return "hosted", "growth_fast"
    return ("onprem", "growth_stable") if value == "stable" else ("hosted", "growth_shrinking")


def _integrations(value: str) -> tuple[Favours, str]:
    if value == "custom":
        return "onprem", "integrations_custom"
    return (
        ("hosted", "integrations_standard")
        if value == "standard"
        else ("neutral", "integrations_none")
    )


def _budget(value: str) -> tuple[Favours, str]:
    return ("onprem", "budget_capex") if value == "capex" else ("hosted", "budget_opex")


def summarise(answers: FitAnswers) -> FitSummary:
    """One point per answered question, the count each kind collects, and the leaning
    (the kind with more points; ``neutral`` on a tie or with no answer)."""
    rules = [
        ("control", answers.control, _control),
        ("it_staff", answers.it_staff, _it_staff),
        ("remote_share_pct", answers.remote_share_pct, _remote),
        ("growth", answers.growth, _growth),
        ("integrations", answers.integrations, _integrations),
        ("budget", answers.budget, _budget),
    ]
    points = []
    for question, value, rule in rules:
        if value is None:
            continue
        favours, reason = rule(value)  # type: ignore[operator]
        points.append(FitPoint(question=question, favours=favours, reason=reason))
    onprem = sum(p.favours == "onprem" for p in points)
    hosted = sum(p.favours == "hosted" for p in points)
    leaning: Favours = "onprem" if onprem > hosted else "hosted" if hosted > onprem else "neutral"
    return FitSummary(points=points, onprem=onprem, hosted=hosted, leaning=leaning)
