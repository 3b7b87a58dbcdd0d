"""Which format a bill is, from its first records (``--format auto``)."""

from __future__ import annotations

import re

from app.core.bills import asterisk, cucm, generic
from app.core.bills.columns import BillFormat

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def sniff(records: list[list[str]]) -> BillFormat | None:
    """The format of a text bill whose first records are ``records`` (None: unknown)."""
    if not records:
        return None
    first = records[0]
    if cucm.is_cucm_header(first):
        return BillFormat.CUCM
    data = [r for r in records if any(cell.strip() for cell in r)]
    if data and all(_is_asterisk_layout(r) for r in data[:5]):
        return BillFormat.ASTERISK
    if data and all(_is_freeswitch_layout(r) for r in data[:5]):
        return BillFormat.FREESWITCH
    if generic.find_header(records) is not None:
        return BillFormat.GENERIC
    return None


def _is_asterisk_layout(record: list[str]) -> bool:
    return len(record) in asterisk.COLUMN_COUNTS and bool(_DATETIME.match(record[9].strip()))


def _is_freeswitch_layout(record: list[str]) -> bool:
    return len(record) == 15 and bool(_DATETIME.match(record[4].strip()))


def column_count(records: list[list[str]]) -> int:
    """The most common field count among the first records."""
    counts = [len(r) for r in records if any(cell.strip() for cell in r)]
    return max(set(counts), key=counts.count) if counts else 0
