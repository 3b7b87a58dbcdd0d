"""Encodings and shapes: bytes → UTF-8 text with its delimiter, or an XLSX sheet's rows.

Handles UTF-8 with or without BOM, UTF-16 (Excel "Unicode text", with or without BOM),
GBK/GB18030 (Chinese carriers); ``,`` ``;`` tab or ``|`` separators; CRLF; quoted fields;
and XLSX workbooks (every sheet offered, with limits against zip bombs).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.bills.errors import BillError

SAMPLE_BYTES = 64 * 1024
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Text:
    """A text bill as UTF-8 bytes (no BOM), its original encoding and its delimiter."""

    data: bytes
    encoding: str
    delimiter: str


def is_xlsx(data: bytes) -> bool:
    """A ZIP container (how XLSX files begin)."""
    return data.startswith(_ZIP_MAGIC)


def decode(name: str, data: bytes) -> Text:
    """Decode a text bill to UTF-8 and find its delimiter; BillError when it is not text."""
    if not data[:SAMPLE_BYTES].strip() and not data.strip():
        raise BillError(name, "the file is empty")
    if data.startswith(_OLE2_MAGIC):
        raise BillError(name, "an old Excel .xls workbook: save it as .xlsx or CSV")
    if is_xlsx(data):
        raise BillError(name, "an XLSX workbook, not a text file")
    encoding, utf8 = _to_utf8(name, data)
    sample = utf8[:SAMPLE_BYTES].decode("utf-8", errors="ignore")
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if controls > len(sample) * 0.01:
        raise BillError(name, "binary content, not a text or XLSX bill")
    return Text(utf8, encoding, detect_delimiter(sample))


def _to_utf8(name: str, data: bytes) -> tuple[str, bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        return "utf-8-sig", _checked_utf8(name, data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", _recode(name, data, "utf-16")
    head = data[:SAMPLE_BYTES]
    if b"\x00" in head:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = len(head) // 2
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le", _recode(name, data, "utf-16-le")
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be", _recode(name, data, "utf-16-be")
        raise BillError(name, "binary content, not a text or XLSX bill")
    if data.isascii():
        return "ascii", data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030", _recode(name, data, "gb18030")
    return "utf-8", data


def _checked_utf8(name: str, data: bytes) -> bytes:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BillError(name, "invalid UTF-8 after a UTF-8 byte-order mark", line=line) from None
    return data


def _recode(name: str, data: bytes, encoding: str) -> bytes:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BillError(name, f"not valid {encoding} text", line=line) from None
    if "\x00" in text:
        raise BillError(name, "binary content, not a text or XLSX bill")
    return text.lstrip("\ufeff").encode("utf-8")


def detect_delimiter(sample: str) -> str:
    """The separator that splits the first lines into the most, consistent, fields."""
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut its last line short
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        modal, seen = Counter(counts).most_common(1)[0]
        if modal < 2:
            continue
        score = (seen / len(counts), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def head_records(text: Text, count: int = 30) -> list[list[str]]:
    """The first ``count`` records of a text bill, parsed with its delimiter."""
    sample = text.data[:SAMPLE_BYTES].decode("utf-8", errors="ignore")
    lines = sample.splitlines()
    if len(text.data) > SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]
    reader = csv.reader(lines, delimiter=text.delimiter)
    records: list[list[str]] = []
    try:
        for row in reader:
            records.append(row)
            if len(records) >= count:
                break
    except csv.Error:
        pass
    return records


# --- XLSX ----------------------------------------------------------------------------


def xlsx_sheets(name: str, data: bytes) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of an XLSX workbook as (sheet name, rows of cell texts)."""
    _check_zip(name, data)
    import openpyxl  # imported here: only XLSX bills need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types on damaged workbooks
        raise BillError(name, "a damaged or unsupported XLSX workbook") from None
    try:
        return [(sheet.title, list(_sheet_rows(sheet))) for sheet in workbook.worksheets]
    except Exception:
        raise BillError(name, "a damaged or unsupported XLSX workbook") from None
    finally:
        workbook.close()


def _check_zip(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise BillError(name, "a damaged ZIP/XLSX file") from None
    total = sum(info.file_size for info in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise BillError(name, "the XLSX workbook unpacks to more than 512 MB")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO:
            raise BillError(name, "the XLSX workbook is compressed suspiciously well (zip bomb?)")
    if not any(info.filename.startswith("xl/") for info in infos):
        raise BillError(name, "a ZIP file that is not an XLSX workbook")


def _sheet_rows(sheet: object) -> Iterator[list[str]]:
    for row in sheet.iter_rows(values_only=True):  # type: ignore[attr-defined]
        cells = [_cell_text(value) for value in row]
        while cells and cells[-1] == "":
            cells.pop()
        yield cells


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(int(value.total_seconds()))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
