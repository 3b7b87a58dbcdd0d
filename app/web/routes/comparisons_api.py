"""Comparisons and proposals over the JSON API (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from app.core.scenarios import Comparison, Scenario, ScenarioError
from app.services import analyses, comparisons, proposals
from app.web.deps import ApiUser, Db, Now

router = APIRouter(prefix="/api/v1", tags=["comparisons"])

EXAMPLE_SCENARIO: dict[str, Any] = {
    "horizon_months": 60,
    "discount_rate_annual": 0.08,
    "start_month": "2027-01",
    "seats": 60,
    "seat_growth_annual": 0.05,
    "status_quo": {"name": "Today", "tariff": "cn-pstn-business-lines"},
    "alternatives": [
        {
            "name": "On-prem IP-PBX + SIP trunk",
            "kind": "onprem",
            "tariffs": ["cn-onprem-ippbx", "cn-sip-trunk"],
            "migration": {"training": 3000},
        },
        {"name": "Hosted PBX", "kind": "hosted", "tariffs": ["cn-hosted-pbx"]},
    ],
}
"""A working example on the shipped Chinese tariffs (fill in ``analysis_id``)."""


class ComparisonRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "analysis_id": "<id from POST /api/v1/analyses>",
                "scenario": EXAMPLE_SCENARIO,
            }
        },
    )

    analysis_id: str = Field(description="a stored analysis (POST /api/v1/analyses)")
    scenario: Scenario


class ProposalRequest(ComparisonRequest):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "analysis_id": "<id from POST /api/v1/analyses>",
                "client_name": "Shanghai Example Trading Co.",
                "scenario": EXAMPLE_SCENARIO,
            }
        },
    )

    client_name: str = Field(min_length=1, max_length=200)


class ProposalOut(BaseModel):
    id: str
    client_name: str
    analysis_id: str | None
    scenario: dict[str, Any] | None
    tariff_versions: dict[str, int] | None
    comparison: dict[str, Any] | None


def _price(db: Db, user: ApiUser, request: ComparisonRequest) -> comparisons.Priced:
    analysis = analyses.get_for(db, request.analysis_id, user)
    if analysis is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "analysis_id: no such analysis")
    try:
        return comparisons.run(db, request.scenario, analyses.profile_of(analysis))
    except ScenarioError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


@router.post("/comparisons", response_model=Comparison)
def compare(request: ComparisonRequest, db: Db, user: ApiUser) -> Comparison:
    """Compare the status quo with each alternative on a stored analysis; nothing saved."""
    return _price(db, user, request).comparison


@router.post("/proposals", status_code=status.HTTP_201_CREATED, response_model=ProposalOut)
def create_proposal(request: ProposalRequest, db: Db, user: ApiUser, now: Now) -> ProposalOut:
    """Compare and save as a proposal owned by the caller, pinning the tariff versions."""
    priced = _price(db, user, request)
    proposal = proposals.create(
        db, user, client={"name": request.client_name}, now=now, analysis_id=request.analysis_id
    )
    proposals.save(
        proposal,
        scenario=request.scenario.model_dump(mode="json"),
        comparison=priced.comparison.model_dump(mode="json"),
        versions=priced.versions,
        now=now,
    )
    db.commit()
    return _out(proposal)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(proposal_id: str, db: Db, user: ApiUser) -> ProposalOut:
    """A saved proposal; 404 for anyone but its owner, their managers and admins."""
    proposal = proposals.get_for(db, proposal_id, user)
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such proposal")
    return _out(proposal)


def _out(proposal: Any) -> ProposalOut:
    return ProposalOut(
        id=proposal.id,
        client_name=proposal.client.get("name", ""),
        analysis_id=proposal.analysis_id,
        scenario=proposal.scenario,
        tariff_versions=proposal.tariff_versions,
        comparison=proposal.comparison,
    )
