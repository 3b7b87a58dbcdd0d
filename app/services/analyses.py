"""Analyses: bills in, usage profile out, stored with its owner.

The uploaded bytes are kept in the database (``job_files``) only while their job runs, so
that any app process can run or resume it; they are deleted when it ends, and an abandoned
upload after 24 hours. The stored profile holds aggregates only, never a phone number.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.core.bills.errors import BillError
from app.core.bills.text import decode, head_records, is_xlsx, xlsx_sheets
from app.core.numberplan import NumberPlanError
from app.core.profile import AnalysisOptions, analyze_files
from app.core.usage import UsageProfile
from app.db.models import Analysis, AnalysisJob, JobFile, Role, User

ABANDONED_AFTER = timedelta(hours=24)
UNEXPECTED = "the analysis failed unexpectedly; the error has been logged"
log = logging.getLogger("telroi.analyses")
_LONG_DIGITS = re.compile(r"\d{7,}")


class AnalysisFailed(ValueError):
    """The bills could not be analysed; the message names file and line, never content."""


def safe_file_name(name: str) -> str:
    """A file name fit to store: any run of 7+ digits (a phone number?) becomes ``…``."""
    return _LONG_DIGITS.sub("…", name.replace("\\", "/").rsplit("/", 1)[-1])[:200] or "bill"


def new_id() -> str:
    return uuid.uuid4().hex


def create_job(
    db: Session,
    owner: User,
    files: list[tuple[str, bytes]],
    options: AnalysisOptions,
    now: datetime,
    proposal_id: str | None = None,
) -> AnalysisJob:
    """Store the uploaded files and a queued job for them (for a comparison, if given)."""
    job = AnalysisJob(
        id=new_id(),
        owner_id=owner.id,
        created_at=now,
        updated_at=now,
        status="queued",
        progress=0.0,
        options=options.model_dump(mode="json"),
        error=None,
        proposal_id=proposal_id,
    )
    db.add(job)
    db.flush()
    for name, data in files:
        db.add(JobFile(job_id=job.id, name=safe_file_name(name), data=data))
    db.flush()
    return job


def run_job(
    sessions: sessionmaker[Session],
    job_id: str,
    clock: Callable[[], datetime],
    *,
    keep_on_mapping_failure: bool = False,
) -> Analysis:
    """Run a queued job: analyse its files, store the profile, delete the files.

    Progress is committed as it goes (readable from any process). Raises
    ``AnalysisFailed`` when the bills are unreadable; the job then holds the message. With
    ``keep_on_mapping_failure`` a generic bill whose columns are not recognised parks the
    job as ``needs_mapping`` with its files kept, for the rep to map the columns.
    """
    with sessions() as db:
        result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
            update(AnalysisJob)
            .where(AnalysisJob.id == job_id, AnalysisJob.status == "queued")
            .values(status="running", updated_at=clock())
        )
        claimed = result.rowcount
        db.commit()
        job = db.get(AnalysisJob, job_id)
        if job is None or not claimed:
            raise AnalysisFailed(f"job {job_id} is not waiting to run")
        files = [
            (f.name, f.data)
            for f in db.scalars(
                select(JobFile).where(JobFile.job_id == job_id).order_by(JobFile.id)
            )
        ]
        options = AnalysisOptions.model_validate(job.options)
        owner_id = job.owner_id

    def progress(fraction: float) -> None:
        with sessions() as db:
            db.execute(
                update(AnalysisJob)
                .where(AnalysisJob.id == job_id)
                .values(progress=fraction, updated_at=clock())
            )
            db.commit()

    try:
        profile = analyze_files(files, options, progress)
    except BillError as exc:
        if keep_on_mapping_failure and exc.needs_mapping:
            _park_for_mapping(sessions, job_id, clock, exc)
        else:
            _finish(sessions, job_id, clock, status="failed", error=str(exc))
        raise AnalysisFailed(str(exc)) from None
    except NumberPlanError as exc:
        _finish(sessions, job_id, clock, status="failed", error=str(exc))
        raise AnalysisFailed(str(exc)) from None
    except Exception:
        _finish(sessions, job_id, clock, status="failed", error=UNEXPECTED)
        raise
    with sessions() as db:
        analysis = store(db, owner_id, profile, options, [name for name, _ in files], clock())
        db.commit()
    _finish(sessions, job_id, clock, status="done", analysis_id=analysis.id)
    return analysis


def _finish(
    sessions: sessionmaker[Session],
    job_id: str,
    clock: Callable[[], datetime],
    *,
    status: str,
    error: str | None = None,
    analysis_id: str | None = None,
) -> None:
    with sessions() as db:
        db.execute(delete(JobFile).where(JobFile.job_id == job_id))
        db.execute(
            update(AnalysisJob)
            .where(AnalysisJob.id == job_id)
            .values(
                status=status,
                progress=1.0,
                error=error,
                analysis_id=analysis_id,
                updated_at=clock(),
            )
        )
        db.commit()


def store(
    db: Session,
    owner_id: int,
    profile: UsageProfile,
    options: AnalysisOptions,
    file_names: list[str],
    now: datetime,
) -> Analysis:
    """Add an analysis (the profile: aggregates only) owned by ``owner_id``."""
    analysis = Analysis(
        id=new_id(),
        owner_id=owner_id,
        created_at=now,
        file_names=file_names,
        options=options.model_dump(mode="json"),
        profile=profile.model_dump(mode="json"),
    )
    db.add(analysis)
    db.flush()
    return analysis


def _park_for_mapping(
    sessions: sessionmaker[Session], job_id: str, clock: Callable[[], datetime], error: BillError
) -> None:
    with sessions() as db:
        db.execute(
            update(AnalysisJob)
            .where(AnalysisJob.id == job_id)
            .values(status="needs_mapping", error=str(error), updated_at=clock())
        )
        db.commit()


def requeue_with_mapping(db: Session, job: AnalysisJob, mapping: dict[str, Any]) -> None:
    """Queue a parked job again with a column mapping for its generic bills."""
    options = dict(job.options)
    options["column_mapping"] = mapping
    options["format"] = "generic"
    job.options = options
    job.status = "queued"
    job.error = None
    job.progress = 0.0


def start_in_background(
    sessions: sessionmaker[Session], job_id: str, clock: Callable[[], datetime]
) -> None:
    """Run a queued job in a thread of this process (its progress is in the database, so
    any process can report it, and a job left queued is picked up by the next poll)."""

    def work() -> None:
        try:
            run_job(sessions, job_id, clock, keep_on_mapping_failure=True)
        except AnalysisFailed:
            pass  # the job holds the message for the page to show
        except Exception as exc:  # a bug: logged by type only (no bill content)
            log.error("analysis job %s crashed: %s", job_id, type(exc).__name__)

    threading.Thread(target=work, name=f"analysis-{job_id[:8]}", daemon=True).start()


def preview(db: Session, job_id: str, rows: int = 6) -> tuple[str, list[list[str]]]:
    """The first rows of a parked job's first file (for the column-mapping step)."""
    first = db.scalars(select(JobFile).where(JobFile.job_id == job_id).order_by(JobFile.id)).first()
    if first is None:
        return "", []
    if is_xlsx(first.data):
        sheets = [s for s in xlsx_sheets(first.name, first.data) if s[1]]
        return first.name, (sheets[0][1][:rows] if sheets else [])
    return first.name, head_records(decode(first.name, first.data), rows)


def analyze_now(
    sessions: sessionmaker[Session],
    owner: User,
    files: list[tuple[str, bytes]],
    options: AnalysisOptions,
    clock: Callable[[], datetime],
) -> Analysis:
    """Store, run and clean up one job synchronously (the JSON API's way)."""
    with sessions() as db:
        job = create_job(db, owner, files, options, clock())
        db.commit()
    return run_job(sessions, job.id, clock)


def purge_abandoned(db: Session, now: datetime) -> int:
    """Delete the files of jobs untouched for 24 hours and mark them failed."""
    stale = list(
        db.scalars(
            select(AnalysisJob.id).where(
                AnalysisJob.status.in_(("queued", "running")),
                AnalysisJob.updated_at < now - ABANDONED_AFTER,
            )
        )
    )
    if stale:
        db.execute(delete(JobFile).where(JobFile.job_id.in_(stale)))
        db.execute(
            update(AnalysisJob)
            .where(AnalysisJob.id.in_(stale))
            .values(status="failed", error="abandoned: the upload was not analysed within 24 h")
        )
    return len(stale)


def visible_to(user: User, owner_id: int) -> bool:
    """Whether ``user`` may see an analysis owned by ``owner_id`` (its owner or an admin)."""
    return user.id == owner_id or user.role == Role.ADMIN


def get_for(db: Session, analysis_id: str, user: User) -> Analysis | None:
    """The analysis if ``user`` may see it, else None (answered 404, not 403)."""
    analysis = db.get(Analysis, analysis_id)
    if analysis is None or not visible_to(user, analysis.owner_id):
        return None
    return analysis


def profile_of(analysis: Analysis) -> UsageProfile:
    return UsageProfile.model_validate(analysis.profile)
