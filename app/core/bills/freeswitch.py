"""FreeSWITCH ``mod_cdr_csv`` "example" template (15 quoted columns, no header).

Columns as ``conf/vanilla/autoload_configs/cdr_csv.conf.xml`` defines them: caller_id_name,
caller_id_number, destination_number, context, start_stamp, answer_stamp, end_stamp,
duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec.
Answered: a non-empty ``answer_stamp``. With ``legs=ab`` a B leg is a row whose ``uuid`` is
another row's ``bleg_uuid``: both rows get the A leg's uuid as ``call_id`` (one call).
The "asterisk" template has Asterisk's layout and is read by ``asterisk.read``.
"""

from __future__ import annotations

import polars as pl

from app.core.bills.asterisk import DATETIME_FORMATS
from app.core.bills.columns import BillFormat
from app.core.bills.csvread import read_strings
from app.core.bills.table import (
    SKIP_DATE,
    SKIP_DURATION,
    SKIP_FIELDS,
    SKIP_NEGATIVE,
    FileCalls,
    finish,
    parse_datetimes,
    parse_seconds,
    skip_reason,
)
from app.core.bills.text import Text
from app.core.numberplan import normalise_number

COLUMNS = [
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "uuid",
    "bleg_uuid",
    "accountcode",
    "read_codec",
    "write_codec",
]


def read(name: str, text: Text) -> FileCalls:
    """Read an "example"-template Master.csv into calls."""
    raw = read_strings(name, text, COLUMNS)
    start = parse_datetimes(raw.get_column("start_stamp"), DATETIME_FORMATS)
    end = parse_datetimes(raw.get_column("end_stamp"), DATETIME_FORMATS)
    frame = raw.with_columns(
        start=start,
        end_time=end,
        duration_s=parse_seconds(raw.get_column("duration")),
        billsec=parse_seconds(raw.get_column("billsec")),
    )
    hold = (
        pl.when(pl.col("end_time").is_not_null())
        .then((pl.col("end_time") - pl.col("start")).dt.total_seconds())
        .otherwise(pl.col("duration_s"))
    )
    frame = frame.with_columns(
        answered=pl.col("answer_stamp").str.strip_chars().fill_null("") != "",
        hold_s=hold,
        caller=normalise_number(pl.col("caller_id_number")),
        callee=normalise_number(pl.col("destination_number")),
        call_id=_call_ids(frame),
    )
    frame = frame.with_columns(
        _skip=skip_reason(
            (pl.col("hangup_cause").is_null(), SKIP_FIELDS),
            (pl.col("start").is_null(), SKIP_DATE),
            (pl.col("billsec").is_null() | pl.col("hold_s").is_null(), SKIP_DURATION),
            ((pl.col("billsec") < 0) | (pl.col("hold_s") < 0), SKIP_NEGATIVE),
        )
    )
    return finish(name, BillFormat.FREESWITCH, frame, rows_read=raw.height)


def _call_ids(frame: pl.DataFrame) -> pl.Series:
    """The A leg's uuid for every leg (a row's own uuid when no row names it as B leg)."""
    legs = frame.select("uuid", "bleg_uuid")
    parents = (
        legs.filter(pl.col("bleg_uuid").fill_null("") != "")
        .select(pl.col("bleg_uuid").alias("uuid"), pl.col("uuid").alias("parent"))
        .unique("uuid", keep="first")
    )
    joined = legs.join(parents, on="uuid", how="left", maintain_order="left")
    return joined.select(pl.coalesce("parent", "uuid")).to_series().alias("call_id")
