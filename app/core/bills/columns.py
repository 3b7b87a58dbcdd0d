"""Bill formats and the column mapping a rep can give (and save by name) for generic bills."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class BillFormat(StrEnum):
    """``--format`` values (CONTRACT.md): ``auto`` sniffs the content."""

    AUTO = "auto"
    ASTERISK = "asterisk"
    FREESWITCH = "freeswitch"
    CUCM = "cucm"
    GENERIC = "generic"


class ColumnMapping(BaseModel):
    """Which header of a generic bill holds each field (header text as written, or a
    1-based column number such as ``"3"``). ``start`` is a date-and-time column, or
    ``date`` and ``time`` are two columns; ``duration`` is the billable (talk) time;
    ``number`` is the remote party of a carrier bill (with ``direction``), or ``caller``
    and ``callee`` give both parties of a PBX export."""

    name: str | None = Field(None, description="a name to save and reuse the mapping by")
    start: str | None = None
    date: str | None = None
    time: str | None = None
    end: str | None = None
    duration: str | None = None
    direction: str | None = None
    number: str | None = None
    caller: str | None = None
    callee: str | None = None
    cost: str | None = None
    status: str | None = None
    sheet: str | None = Field(None, description="XLSX sheet name (default: the one with calls)")
