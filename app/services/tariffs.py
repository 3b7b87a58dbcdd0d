"""Tariffs in the database: seeding, importing files as new versions, editing, loading.

A tariff's version is its revision number (1, 2, 3 …, one more at every save, even one
that restores older content); the hash of its content is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.tariffs import Tariff, TariffError, TariffFile, check_tariff_dir, content_hash
from app.core.tariffs import parse_tariff as _parse_tariff
from app.db.models import Tariff as TariffRow
from app.db.models import TariffVersion

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "tariffs"


class VersionConflict(Exception):
    """The edit was based on a version that is no longer the latest."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"the tariff is now at version {latest}: reload and edit again")
        self.latest = latest


@dataclass(frozen=True)
class ImportResult:
    tariff_id: str
    action: str  # "created", "updated" or "unchanged"
    version: int


@dataclass(frozen=True)
class PinnedTariff:
    """A parsed tariff at one version (what a comparison or a proposal uses)."""

    id: str
    version: int
    tariff: Tariff


@lru_cache(maxsize=256)
def parse_cached(text: str, source: str) -> Tariff:
    """``parse_tariff`` memoised by content: a slider move re-uses parsed tariffs."""
    return _parse_tariff(text, source)


def _save(
    db: Session, tariff_id: str, text: str, tariff: Tariff, now: datetime, user_id: int | None
) -> int:
    row = db.get(TariffRow, tariff_id)
    digest = content_hash(text)
    version = 1 if row is None else row.version + 1
    if row is None:
        row = TariffRow(id=tariff_id, version=version)
        db.add(row)
    row.name, row.kind, row.currency = tariff.name, tariff.kind.value, tariff.currency
    row.version, row.content_hash, row.updated_at = version, digest, now
    db.add(
        TariffVersion(
            tariff_id=tariff_id,
            version=version,
            content=text,
            content_hash=digest,
            created_at=now,
            created_by=user_id,
        )
    )
    db.flush()
    return version


def import_dir(
    db: Session, directory: Path, *, now: datetime, user_id: int | None = None
) -> list[ImportResult]:
    """Bring every file of ``directory`` in: new tariffs, and a new version of each tariff
    whose content changed. All files are validated first; nothing is written if one fails."""
    files, problems = check_tariff_dir(directory)
    if problems:
        raise TariffError(problems)
    results = []
    for file in files:
        results.append(_import_one(db, file, now, user_id))
    return results


def _import_one(db: Session, file: TariffFile, now: datetime, user_id: int | None) -> ImportResult:
    tariff_id = file.path.stem
    row = db.get(TariffRow, tariff_id)
    if row is not None and row.content_hash == file.content_hash:
        return ImportResult(tariff_id, "unchanged", row.version)
    action = "created" if row is None else "updated"
    version = _save(db, tariff_id, file.text, file.tariff, now, user_id)
    return ImportResult(tariff_id, action, version)


def seed_if_empty(db: Session, *, now: datetime, directory: Path = SHIPPED_DIR) -> int:
    """Load the shipped tariff files into an empty database; the number loaded."""
    if db.scalar(select(func.count(TariffRow.id))):
        return 0
    return len(import_dir(db, directory, now=now))


def list_tariffs(db: Session) -> list[TariffRow]:
    return list(db.scalars(select(TariffRow).order_by(TariffRow.kind, TariffRow.id)))


def content_of(db: Session, tariff_id: str, version: int | None = None) -> tuple[TariffRow, str]:
    """A tariff and the text of one version (default: the latest); KeyError if unknown."""
    row = db.get(TariffRow, tariff_id)
    if row is None:
        raise KeyError(tariff_id)
    text = db.scalar(
        select(TariffVersion.content).where(
            TariffVersion.tariff_id == tariff_id, TariffVersion.version == (version or row.version)
        )
    )
    if text is None:
        raise KeyError(f"{tariff_id} v{version}")
    return row, text


def save_edit(
    db: Session, tariff_id: str, text: str, *, base_version: int, now: datetime, user_id: int
) -> int:
    """Save edited content as the next version; ``VersionConflict`` if ``base_version`` is
    stale, ``TariffError`` (naming the line) if the content is invalid."""
    row = db.get(TariffRow, tariff_id)
    if row is None:
        raise KeyError(tariff_id)
    if base_version != row.version:
        raise VersionConflict(row.version)
    tariff = _parse_tariff(text, f"{tariff_id}.yaml")
    return _save(db, tariff_id, text, tariff, now, user_id)


def pinned(db: Session, refs: dict[str, int | None]) -> dict[str, PinnedTariff]:
    """Parsed tariffs by id at the given versions (None = latest); KeyError if unknown."""
    out = {}
    for tariff_id, version in refs.items():
        row, text = content_of(db, tariff_id, version)
        out[tariff_id] = PinnedTariff(
            tariff_id, version or row.version, parse_cached(text, f"{tariff_id}.yaml")
        )
    return out
