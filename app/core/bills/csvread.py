"""Reading delimited text into a frame of strings, with errors that name the line."""

from __future__ import annotations

import csv
import io

import polars as pl

from app.core.bills.errors import BillError
from app.core.bills.text import Text


def read_strings(
    name: str,
    text: Text,
    columns: list[str],
    *,
    skip_rows: int = 0,
    keep: list[str] | None = None,
    integers: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The rows of a headerless (or header-skipped) text bill: of its fields ``columns``,
    those in ``keep`` (default all) as strings — ``integers`` as Int64, null where not an
    integer — plus ``line`` (1-based line in the file). Extra fields are cut, missing ones
    are null."""
    schema = {c: pl.Int64 if c in integers else pl.String for c in columns}
    wanted = [columns.index(c) for c in keep] if keep is not None else None
    try:
        frame = pl.read_csv(
            io.BytesIO(text.data),
            has_header=False,
            separator=text.delimiter,
            quote_char='"',
            schema=schema,
            columns=wanted,
            skip_rows=skip_rows,
            truncate_ragged_lines=True,
            ignore_errors=bool(integers),
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        raise BillError(name, "cannot be read as delimited text", line=_bad_line(text)) from None
    return frame.with_row_index("line", offset=skip_rows + 1).with_columns(
        pl.col("line").cast(pl.Int64)
    )


def _bad_line(text: Text) -> int | None:
    """The first line Python's csv module cannot read either (None if it reads them all)."""
    reader = csv.reader(io.StringIO(text.data.decode("utf-8", errors="replace")), strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return reader.line_num
    return None


def header_index(columns: list[str], wanted: str) -> int | None:
    """Position of a header name, compared case- and space-insensitively."""
    key = wanted.strip().lower()
    for i, column in enumerate(columns):
        if column.strip().lower() == key:
            return i
    return None
