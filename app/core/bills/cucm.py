"""Cisco CUCM CDR: a header row of field names, a row of SQL types, then data.

Columns are found by name: ``dateTimeOrigination`` (start, epoch seconds UTC),
``callingPartyNumber``, ``originalCalledPartyNumber`` (else ``finalCalledPartyNumber``),
``dateTimeConnect`` (0 when unanswered), ``dateTimeDisconnect`` and ``duration`` (talk
seconds). Times are converted to the client's time zone.
"""

from __future__ import annotations

import polars as pl

from app.core.bills.columns import BillFormat
from app.core.bills.csvread import header_index, read_strings
from app.core.bills.errors import BillError
from app.core.bills.table import (
    SKIP_DATE,
    SKIP_DURATION,
    SKIP_NEGATIVE,
    FileCalls,
    finish,
    parse_seconds,
    skip_reason,
)
from app.core.bills.text import Text
from app.core.numberplan import normalise_number

REQUIRED = (
    "dateTimeOrigination",
    "callingPartyNumber",
    "originalCalledPartyNumber",
    "dateTimeConnect",
    "dateTimeDisconnect",
    "duration",
)
OPTIONAL = ("finalCalledPartyNumber",)


def is_cucm_header(record: list[str]) -> bool:
    """A CUCM header row names dateTimeOrigination and callingPartyNumber."""
    names = {field.strip().lower() for field in record}
    return {"datetimeorigination", "callingpartynumber"} <= names


def read(name: str, text: Text, header: list[str], timezone: str) -> FileCalls:
    """Read a CUCM CDR file whose first record is ``header``; times into ``timezone``."""
    positions: dict[str, int] = {}
    for wanted in REQUIRED + OPTIONAL:
        index = header_index(header, wanted)
        if index is None and wanted in REQUIRED:
            raise BillError(name, "the CUCM header lacks a needed column", line=1, column=wanted)
        if index is not None:
            positions[wanted] = index
    columns = [f"c{i}" for i in range(len(header))]
    raw = read_strings(name, text, columns, skip_rows=2)

    def col(field: str) -> pl.Expr:
        return pl.col(columns[positions[field]])

    def epoch(field: str) -> pl.Expr:
        return col(field).str.strip_chars().cast(pl.Int64, strict=False)

    original = col("originalCalledPartyNumber").fill_null("")
    if "finalCalledPartyNumber" in positions:
        called = (
            pl.when(original.str.strip_chars() != "")
            .then(original)
            .otherwise(col("finalCalledPartyNumber"))
        )
    else:
        called = original
    origination = epoch("dateTimeOrigination")
    disconnect = epoch("dateTimeDisconnect")
    local_start = (
        pl.from_epoch(origination, time_unit="s")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(timezone)
        .dt.replace_time_zone(None)
        .dt.cast_time_unit("us")
    )
    frame = raw.with_columns(
        origination=origination,
        start=pl.when(origination > 0).then(local_start).otherwise(None),
        billsec=parse_seconds(raw.get_column(columns[positions["duration"]])),
        answered=epoch("dateTimeConnect").fill_null(0) != 0,
        hold_s=pl.when(disconnect > 0).then(disconnect - origination).otherwise(None),
        caller=normalise_number(col("callingPartyNumber")),
        callee=normalise_number(called),
    )
    frame = frame.with_columns(hold_s=pl.coalesce("hold_s", "billsec"))
    frame = frame.with_columns(
        _skip=skip_reason(
            (pl.col("start").is_null(), SKIP_DATE),
            (pl.col("billsec").is_null(), SKIP_DURATION),
            ((pl.col("billsec") < 0) | (pl.col("hold_s") < 0), SKIP_NEGATIVE),
        )
    )
    return finish(name, BillFormat.CUCM, frame, rows_read=raw.height)
