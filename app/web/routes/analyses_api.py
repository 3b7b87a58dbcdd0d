"""Analyses over the JSON API: bills in (multipart), usage profile out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile, status
from pydantic import BaseModel, ValidationError

from app.core.bills.columns import BillFormat, ColumnMapping
from app.core.profile import AnalysisOptions
from app.services import analyses
from app.web.deps import ApiUser, Db

router = APIRouter(prefix="/api/v1", tags=["analyses"])


class AnalysisOut(BaseModel):
    id: str
    profile: dict[str, Any]


def _options(
    country: str,
    area_code: str | None,
    outside_prefix: str | None,
    extensions: str | None,
    timezone: str | None,
    format: str | None,
    column_mapping: str | None,
) -> AnalysisOptions:
    try:
        return AnalysisOptions(
            country=country.strip().upper(),
            area_codes=[c.strip() for c in (area_code or "").split(",") if c.strip()],
            outside_prefix=outside_prefix or "",
            extensions=extensions or None,
            timezone=timezone or None,
            format=BillFormat(format or "auto"),
            column_mapping=(
                ColumnMapping.model_validate_json(column_mapping) if column_mapping else None
            ),
        )
    except ValueError as exc:  # ValidationError is a ValueError too
        detail = (
            "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'column_mapping'}: {e['msg']}"
                for e in exc.errors()
            )
            if isinstance(exc, ValidationError)
            else f"format: must be one of {', '.join(f.value for f in BillFormat)}"
        )
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None


@router.post("/analyses", status_code=status.HTTP_201_CREATED, response_model=AnalysisOut)
async def create_analysis(
    request: Request,
    user: ApiUser,
    file: Annotated[list[UploadFile], File(description="one or more bill files")],
    country: Annotated[str, Form(description="ISO 3166 alpha-2, e.g. CN")],
    area_code: Annotated[str | None, Form(description="local area codes, comma-separated")] = None,
    outside_prefix: Annotated[str | None, Form()] = None,
    extensions: Annotated[str | None, Form(description="e.g. 8000-8099,200-299")] = None,
    timezone: Annotated[str | None, Form(description="IANA zone")] = None,
    format: Annotated[
        str | None, Form(description="auto, asterisk, freeswitch, cucm, generic")
    ] = None,
    column_mapping: Annotated[str | None, Form(description="JSON column mapping")] = None,
) -> AnalysisOut:
    """Read the bills into one usage profile, stored with its owner (synchronous). An
    unreadable bill gives 422 naming the file and line; nothing is stored then."""
    options = _options(
        country, area_code, outside_prefix, extensions, timezone, format, column_mapping
    )
    files = [(upload.filename or "bill", await upload.read()) for upload in file]
    try:
        analysis = analyses.analyze_now(
            request.app.state.sessionmaker, user, files, options, request.app.state.clock
        )
    except analyses.AnalysisFailed as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return AnalysisOut(id=analysis.id, profile=analysis.profile)


@router.get("/analyses/{analysis_id}", response_model=AnalysisOut)
def get_analysis(analysis_id: str, db: Db, user: ApiUser) -> AnalysisOut:
    """A stored analysis; 404 for anyone but its owner (and admins)."""
    analysis = analyses.get_for(db, analysis_id, user)
    if analysis is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such analysis")
    return AnalysisOut(id=analysis.id, profile=analysis.profile)
