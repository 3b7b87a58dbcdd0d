"""Tariffs over the JSON API: list, read, and edit (engineers and admins)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from app.core.tariffs import TariffError
from app.db.models import Role
from app.services import tariffs
from app.web.deps import ApiUser, Db, Now

router = APIRouter(prefix="/api/v1", tags=["tariffs"])


class TariffSummary(BaseModel):
    id: str
    name: str
    kind: str
    currency: str
    version: int = Field(description="revision number: one more at every save")


class TariffDetail(TariffSummary):
    content: str = Field(description="the tariff file's text (YAML)")
    content_hash: str


class TariffEdit(BaseModel):
    content: str
    base_version: int = Field(description="the version the edit started from")


@router.get("/tariffs", response_model=list[TariffSummary])
def list_tariffs(db: Db, user: ApiUser) -> list[TariffSummary]:
    """Every tariff with its latest version."""
    return [
        TariffSummary(id=t.id, name=t.name, kind=t.kind, currency=t.currency, version=t.version)
        for t in tariffs.list_tariffs(db)
    ]


@router.get("/tariffs/{tariff_id}", response_model=TariffDetail)
def get_tariff(tariff_id: str, db: Db, user: ApiUser) -> TariffDetail:
    """One tariff with the text of its latest version."""
    try:
        row, text = tariffs.content_of(db, tariff_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no tariff {tariff_id!r}") from None
    return TariffDetail(
        id=row.id,
        name=row.name,
        kind=row.kind,
        currency=row.currency,
        version=row.version,
        content=text,
        content_hash=row.content_hash,
    )


@router.put("/tariffs/{tariff_id}", response_model=TariffDetail)
def edit_tariff(tariff_id: str, edit: TariffEdit, db: Db, user: ApiUser, now: Now) -> TariffDetail:
    """Save new content as the next version: 409 when ``base_version`` is no longer the
    latest, 422 naming the line for invalid content, 403 unless engineer or admin."""
    if user.role not in (Role.ENGINEER, Role.ADMIN):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only engineers and admins edit tariffs")
    try:
        tariffs.save_edit(
            db, tariff_id, edit.content, base_version=edit.base_version, now=now, user_id=user.id
        )
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no tariff {tariff_id!r}") from None
    except tariffs.VersionConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except TariffError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    db.commit()
    return get_tariff(tariff_id, db, user)
