"""The call table: every reader's output in one normalised shape, one row a CDR row.

Columns (``CALL_SCHEMA``): ``file`` (index of the file in the call), ``line`` (1-based line
of the row in its file), ``start`` (local wall-clock time, naive), ``hold_s`` (seconds the
call holds a channel: start to end, or the talk time on a carrier bill), ``billsec``
(billable talk seconds), ``answered``, ``caller`` and ``callee`` (digits with a leading
``+``; empty when the bill does not say — a carrier bill names only the remote party),
``direction`` (from the format's own field, else null), ``cost`` (the bill's charge,
exact decimal, or null), ``call_id`` (rows sharing it are legs of one call, or null).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from app.core.bills.columns import BillFormat
from app.core.bills.errors import BillError

COST_DTYPE = pl.Decimal(38, 6)
CALL_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.Int32(),
    "line": pl.Int64(),
    "start": pl.Datetime("us"),
    "hold_s": pl.Int64(),
    "billsec": pl.Int64(),
    "answered": pl.Boolean(),
    "caller": pl.String(),
    "callee": pl.String(),
    "direction": pl.String(),
    "cost": COST_DTYPE,
    "call_id": pl.String(),
}

SKIP_DATE = "unparseable date"
SKIP_DURATION = "unparseable duration"
SKIP_NEGATIVE = "negative duration"
SKIP_FIELDS = "missing fields"
SKIP_DUPLICATE = "same call in another file"
SKIP_LEG = "another leg of a counted call"
SKIP_OVERLAP = "carrier bill row in the period of a PBX export"


@dataclass
class FileCalls:
    """One file read: its calls, rows read, rows skipped by reason, and what it is."""

    name: str
    format: BillFormat
    calls: pl.DataFrame
    rows_read: int
    skipped: dict[str, int]
    talk_time_only: bool = False
    currency: str | None = None

    @property
    def is_pbx_export(self) -> bool:
        return not self.talk_time_only


@dataclass
class CallTable:
    """Calls of one or more files (``calls`` has ``CALL_SCHEMA``) and each file's summary."""

    calls: pl.DataFrame
    files: list[FileCalls] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def skipped(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.skipped)
        return dict(total)


def parse_datetimes(values: pl.Series, formats: list[str]) -> pl.Series:
    """Parse strings with the first of ``formats`` that fits each value (null where none)."""
    text = values
    result = text.str.strptime(pl.Datetime("us"), formats[0], strict=False, cache=False)
    if result.null_count() > text.null_count():
        text = values.str.strip_chars()
        for fmt in formats:
            parsed = text.str.strptime(pl.Datetime("us"), fmt, strict=False, cache=False)
            result = result.fill_null(parsed)
            if result.null_count() <= text.null_count():
                break
    return result


def parse_seconds(values: pl.Series) -> pl.Series:
    """Whole seconds from an integer (or ``"12.0"``) column; null where not a number."""
    text = values.str.strip_chars()
    as_int = text.cast(pl.Int64, strict=False)
    if as_int.null_count() > text.null_count():
        as_float = text.cast(pl.Float64, strict=False)
        as_int = as_int.fill_null(as_float.round(0).cast(pl.Int64, strict=False))
    return as_int


def finish(
    name: str,
    fmt: BillFormat,
    frame: pl.DataFrame,
    *,
    rows_read: int,
    talk_time_only: bool = False,
    currency: str | None = None,
) -> FileCalls:
    """Drop the rows whose ``_skip`` reason is set (counting them), keep ``CALL_SCHEMA``.

    Raises BillError when the file has no usable row."""
    skip = frame.get_column("_skip")
    skip_counts = skip.drop_nulls().value_counts()
    skipped = {str(r): int(c) for r, c in skip_counts.iter_rows()}
    columns = []
    for column, dtype in CALL_SCHEMA.items():
        if column in frame.columns:
            columns.append(pl.col(column).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
    calls = frame.select(columns)
    if skipped:
        calls = calls.filter(skip.is_null())
    if calls.height == 0:
        reasons = ", ".join(f"{r}: {c}" for r, c in sorted(skipped.items())) or "no data rows"
        raise BillError(name, f"no usable call ({reasons})")
    return FileCalls(name, fmt, calls, rows_read, skipped, talk_time_only, currency)


def skip_reason(*rules: tuple[pl.Expr, str]) -> pl.Expr:
    """The first reason whose condition holds for a row, else null."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for condition, reason in reversed(rules):
        expr = pl.when(condition.fill_null(True)).then(pl.lit(reason)).otherwise(expr)
    return expr


def period_of(calls: pl.DataFrame) -> tuple[datetime, datetime]:
    """First and last call start of a non-empty call table."""
    first, last = calls.select(pl.col("start").min(), pl.col("start").max()).row(0)
    return first, last


def dedupe_calls(classified: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Count each call once: legs sharing a ``call_id`` (within a file) keep one row — the
    leg that crosses the trunk, else the earliest — and a call present in several files
    (same ``start``, ``direction``, remote number ``cc``/``nsn`` — the callee for an
    internal call — and ``billsec``) keeps the first file's row. Needs the columns of
    ``CALL_SCHEMA`` plus ``direction``, ``cc`` and ``nsn``; returns the kept rows and the
    removed rows' counts by reason."""
    removed: dict[str, int] = {}
    frame = classified
    legs = frame.filter(pl.col("call_id").is_not_null())
    if legs.height:
        rank = (pl.col("direction") == "internal").cast(pl.Int8)
        kept_legs = legs.sort([rank, "start", "line"]).unique(
            ["file", "call_id"], keep="first", maintain_order=True
        )
        if kept_legs.height < legs.height:
            removed[SKIP_LEG] = legs.height - kept_legs.height
            frame = pl.concat([frame.filter(pl.col("call_id").is_null()), kept_legs]).sort(
                ["file", "line"]
            )
    if frame.get_column("file").n_unique() > 1:
        party = pl.when(pl.col("direction") == "internal").then("callee").otherwise("nsn")
        key = ["start", "direction", "cc", party, "billsec"]
        before = frame.height
        frame = frame.filter(pl.col("file") == pl.col("file").min().over(key))
        if frame.height < before:
            removed[SKIP_DUPLICATE] = before - frame.height
    return frame, removed
