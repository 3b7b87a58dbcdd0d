"""Reading phone bills: sniffing, decoding and one reader per format → one call table.

Public API::

    read_calls(files, *, format=BillFormat.AUTO, column_mapping=None, timezone="UTC",
               progress=None) -> CallTable

``files`` is a list of ``(name, content bytes)``; every file is read (sniffed unless
``format`` is given) and the calls are concatenated, ``file`` giving each row's file index.
Legs of one call and calls repeated across files are removed later, once numbers are
classified (``app.core.profile``), since "the same call" is judged on normalised numbers.
Bad input raises ``BillError`` naming the file, line and column — never a row's content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from app.core.bills import asterisk, cucm, freeswitch, generic
from app.core.bills.columns import BillFormat, ColumnMapping
from app.core.bills.errors import BillError
from app.core.bills.sniff import column_count, sniff
from app.core.bills.table import CALL_SCHEMA, CallTable, FileCalls
from app.core.bills.text import decode, head_records, is_xlsx, xlsx_sheets

__all__ = [
    "BillError",
    "BillFormat",
    "CallTable",
    "ColumnMapping",
    "FileCalls",
    "read_calls",
    "read_file",
]


def read_calls(
    files: Sequence[tuple[str, bytes]],
    *,
    format: BillFormat = BillFormat.AUTO,
    column_mapping: ColumnMapping | None = None,
    timezone: str = "UTC",
    progress: Callable[[float], None] | None = None,
) -> CallTable:
    """Read every ``(name, bytes)`` bill into one call table (``CALL_SCHEMA`` columns).

    ``timezone`` is the client's IANA zone (CUCM's epoch seconds are converted to it; the
    other formats already write local time). ``progress`` gets the fraction of files read."""
    if not files:
        raise BillError("(no file)", "no bill file given")
    read = []
    for index, (name, data) in enumerate(files):
        read.append(
            read_file(name, data, format=format, column_mapping=column_mapping, timezone=timezone)
        )
        if progress is not None:
            progress((index + 1) / len(files))
    frames = [
        f.calls.with_columns(pl.lit(index, dtype=pl.Int32).alias("file"))
        for index, f in enumerate(read)
    ]
    calls = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=CALL_SCHEMA)
    return CallTable(calls, read)


def read_file(
    name: str,
    data: bytes,
    *,
    format: BillFormat = BillFormat.AUTO,
    column_mapping: ColumnMapping | None = None,
    timezone: str = "UTC",
) -> FileCalls:
    """Read one bill; ``format`` AUTO sniffs it, a ``column_mapping`` implies GENERIC."""
    if column_mapping is not None:
        format = BillFormat.GENERIC
    if is_xlsx(data):
        if format not in (BillFormat.AUTO, BillFormat.GENERIC):
            raise BillError(name, f"an XLSX workbook cannot be read as {format.value}")
        return _read_xlsx(name, data, column_mapping)
    text = decode(name, data)
    records = head_records(text)
    fmt = sniff(records) if format is BillFormat.AUTO else format
    if fmt is None:
        raise BillError(
            name,
            "cannot recognise the format or its columns: give a column mapping or --format",
            line=1,
            needs_mapping=True,
        )
    if fmt is BillFormat.CUCM:
        if not records:
            raise BillError(name, "no CUCM header row", line=1)
        return cucm.read(name, text, records[0], timezone)
    if fmt is BillFormat.GENERIC:
        return generic.read_text(name, text, records, column_mapping)
    count = column_count(records)
    if fmt is BillFormat.FREESWITCH and count == 15:
        return freeswitch.read(name, text)
    if fmt is BillFormat.FREESWITCH and count != 18:
        raise BillError(name, f"{count} columns: FreeSWITCH CSV has 15 or 18", line=1)
    return asterisk.read(name, text, count)


def _read_xlsx(name: str, data: bytes, mapping: ColumnMapping | None) -> FileCalls:
    sheets = [(title, rows) for title, rows in xlsx_sheets(name, data) if rows]
    if not sheets:
        raise BillError(name, "the workbook has no rows")
    if mapping is not None and mapping.sheet:
        chosen = [rows for title, rows in sheets if title == mapping.sheet]
        if not chosen:
            raise BillError(name, f"no sheet named {mapping.sheet!r}")
        rows = chosen[0]
    else:
        rows = max(sheets, key=lambda sheet: generic.sheet_score(sheet[1]))[1]
    return generic.read_rows(name, rows, mapping)
