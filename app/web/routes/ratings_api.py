"""Ratings over the JSON API: a stored analysis priced under a tariff or a rate card."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.rating import (
    RateCardEntry,
    Reconciliation,
    rate_card_rating,
    rate_period,
    rating_json,
    reconcile,
)
from app.core.tariffs import TariffError
from app.services import analyses, tariffs
from app.web.deps import ApiUser, Db

router = APIRouter(prefix="/api/v1", tags=["ratings"])


class RatingRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "analysis_id": "<id from POST /api/v1/analyses>",
                "currency": "USD",
                "rates": [
                    {
                        "direction": "outbound",
                        "category": "international",
                        "country": "US",
                        "increment": "30/6",
                        "rate_per_minute": 0.12,
                        "first_price": None,
                        "connect_fee": 0.0,
                        "min_charge": 0.0,
                    },
                    {
                        "direction": "outbound",
                        "category": "local",
                        "increment": "60/60",
                        "rate_per_minute": 0.02,
                    },
                ],
            }
        },
    )

    analysis_id: str
    tariff_id: str | None = Field(None, description="price under this tariff (latest version)")
    rates: list[RateCardEntry] | None = Field(None, description="or under an ad-hoc rate card")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="of the rate card")

    @model_validator(mode="after")
    def _one_price_list(self) -> RatingRequest:
        if (self.tariff_id is None) == (self.rates is None):
            raise ValueError("give either tariff_id or rates")
        return self


def _profile(db: Db, user: ApiUser, analysis_id: str) -> Any:
    analysis = analyses.get_for(db, analysis_id, user)
    if analysis is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "analysis_id: no such analysis")
    return analyses.profile_of(analysis)


def _tariff(db: Db, tariff_id: str) -> Any:
    try:
        return tariffs.pinned(db, {tariff_id: None})[tariff_id].tariff
    except KeyError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"tariff_id: unknown tariff {tariff_id!r}"
        ) from None
    except TariffError as exc:  # pragma: no cover - stored tariffs were validated on save
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


@router.post("/ratings")
def rate(request: RatingRequest, db: Db, user: ApiUser) -> dict[str, Any]:
    """The analysis' whole usage priced (the whole period, not per month):
    ``{"currency", "usage": [{"direction", "category", "country", "calls",
    "billed_seconds", "amount"}], "usage_total"}``; calls no rate matches are free and
    their lines say so."""
    profile = _profile(db, user, request.analysis_id)
    if request.rates is not None:
        return rate_card_rating(profile, request.rates, request.currency)
    tariff = _tariff(db, request.tariff_id or "")
    return rating_json(rate_period(profile, tariff))


@router.get("/analyses/{analysis_id}/reconciliation", response_model=Reconciliation)
def reconciliation(analysis_id: str, tariff_id: str, db: Db, user: ApiUser) -> Reconciliation:
    """What the bill charged against the analysis rated under ``tariff_id`` (the client's
    current ``pstn`` tariff), per direction and category, with findings."""
    profile = _profile(db, user, analysis_id)
    try:
        return reconcile(profile, _tariff(db, tariff_id))
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
