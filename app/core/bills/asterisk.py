"""Asterisk ``cdr_csv`` Master.csv (and FreeSWITCH's "asterisk" template, same layout).

Columns as ``cdr/cdr_csv.c`` ``build_csv_record`` writes them: accountcode, src, dst,
dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags; then uniqueid (17), userfield (18), and with
``newcdrcolumns`` peeraccount, linkedid, sequence (21). No header. An unanswered call has an
empty answer field. Answered: ``disposition`` ANSWERED (FreeSWITCH writes a hangup cause
there; then a non-empty answer time). Channel occupancy is start…end, billing ``billsec``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from app.core.bills.columns import BillFormat
from app.core.bills.csvread import read_strings
from app.core.bills.errors import BillError
from app.core.bills.table import (
    SKIP_DATE,
    SKIP_DURATION,
    SKIP_FIELDS,
    SKIP_NEGATIVE,
    FileCalls,
    finish,
    parse_datetimes,
    skip_reason,
)
from app.core.bills.text import Text
from app.core.numberplan import normalise_numbers

BASE_COLUMNS = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
]
EXTRA_COLUMNS = ["uniqueid", "userfield", "peeraccount", "linkedid", "sequence"]
COLUMN_COUNTS = (16, 17, 18, 21)
ASTERISK_DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION")
DATETIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"]


def columns_for(count: int) -> list[str]:
    """Column names of a Master.csv with ``count`` fields a row."""
    if count not in COLUMN_COUNTS:
        raise ValueError(f"an Asterisk Master.csv has 16, 17, 18 or 21 columns, not {count}")
    return BASE_COLUMNS + EXTRA_COLUMNS[: count - 16]


def read(name: str, text: Text, column_count: int) -> FileCalls:
    """Read a Master.csv of ``column_count`` columns into calls (occupancy: ``duration``,
    which Asterisk computes as end − start)."""
    try:
        columns = columns_for(column_count)
    except ValueError as exc:
        raise BillError(name, str(exc), line=1) from None
    keep = ["src", "dst", "start", "answer", "duration", "billsec", "disposition"]
    if "linkedid" in columns:
        keep.append("linkedid")
    raw = read_strings(name, text, columns, keep=keep, integers=("duration", "billsec"))
    dispositions = raw.get_column("disposition").drop_nulls().unique().to_list()
    answered_words = [v for v in dispositions if v.strip().upper() == "ANSWERED"]
    asterisk_words = [v for v in dispositions if v.strip().upper() in ASTERISK_DISPOSITIONS]
    is_freeswitch = _looks_like_hangup_causes(
        raw.get_column("disposition").head(1000).str.strip_chars().str.to_uppercase()
    )
    answered = pl.col("disposition").is_in(answered_words)
    if len(asterisk_words) < len(dispositions):  # other words: answered if answer time given
        answer_given = pl.col("answer").is_not_null() & ~pl.col("answer").str.contains(r"^\s*$")
        answered = (
            pl.when(pl.col("disposition").is_in(asterisk_words))
            .then(answered)
            .otherwise(answer_given)
        )
    with ThreadPoolExecutor(max_workers=2) as pool:  # side by side: polars releases the GIL
        start = pool.submit(parse_datetimes, raw.get_column("start"), DATETIME_FORMATS)
        callee = pool.submit(normalise_numbers, raw.get_column("dst"))
        caller = normalise_numbers(_sources(name, text, columns, raw.get_column("src")))
    frame = raw.with_columns(
        start=start.result(),
        answered=answered,
        hold_s=pl.col("duration"),
        caller=caller,
        callee=callee.result(),
        call_id=pl.col("linkedid") if "linkedid" in keep else pl.lit(None, dtype=pl.String),
    )
    frame = frame.with_columns(
        _skip=skip_reason(
            (pl.col("disposition").is_null(), SKIP_FIELDS),
            (pl.col("start").is_null(), SKIP_DATE),
            (pl.col("billsec").is_null() | pl.col("hold_s").is_null(), SKIP_DURATION),
            ((pl.col("billsec") < 0) | (pl.col("hold_s") < 0), SKIP_NEGATIVE),
        )
    )
    fmt = BillFormat.FREESWITCH if is_freeswitch else BillFormat.ASTERISK
    return finish(name, fmt, frame, rows_read=raw.height)


def _sources(name: str, text: Text, columns: list[str], src: pl.Series) -> pl.Series:
    """The calling numbers: ``src``, or where it is blank the number in ``clid``'s angle
    brackets (``"Alice" <8001>``; the column is read only for such files)."""
    src = src.fill_null("")
    blank = src.str.contains(r"^\s*$")
    if not blank.any():
        return src
    clid = read_strings(name, text, columns, keep=["clid"]).get_column("clid")
    return src.zip_with(~blank, clid.str.extract(r"<([^>]*)>", 1).fill_null(""))


def _looks_like_hangup_causes(disposition: pl.Series) -> bool:
    """FreeSWITCH's asterisk template writes hangup causes (NORMAL_CLEARING …)."""
    known = disposition.drop_nulls().head(1000)
    if known.len() == 0:
        return False
    return bool((~known.is_in(ASTERISK_DISPOSITIONS)).mean() > 0.5)  # type: ignore[operator]
