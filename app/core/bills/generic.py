"""Generic bills: CSV or XLSX with a header row (carrier itemised bills, PBX exports).

Columns are recognised by their English or Chinese names (``HEADER_NAMES``), or given by an
explicit ``ColumnMapping``. Durations may be seconds, ``h:mm:ss``/``m:ss`` or ``1小时2分3秒``;
dates the common orders (year first, month/day/year, day/month/year, day.month.year).
Without an end-time column a bill lists talk time only: a call holds the line from its
start for its billable seconds, and every row is an answered call unless a status column
says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from app.core.bills.columns import BillFormat, ColumnMapping
from app.core.bills.csvread import read_strings
from app.core.bills.errors import BillError
from app.core.bills.table import (
    COST_DTYPE,
    SKIP_DATE,
    SKIP_DURATION,
    SKIP_NEGATIVE,
    FileCalls,
    finish,
    skip_reason,
)
from app.core.bills.text import Text
from app.core.numberplan import normalise_number

ROLES = (
    "start",
    "end",
    "duration",
    "cost",
    "direction",
    "caller",
    "callee",
    "number",
    "date",
    "time",
    "status",
)
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "start": (
        "start",
        "starttime",
        "start time",
        "start date",
        "call start",
        "callstart",
        "date/time",
        "datetime",
        "date time",
        "call date",
        "calldate",
        "call time",
        "起始时间",
        "通话起始时间",
        "开始时间",
        "通话开始时间",
        "呼叫时间",
        "通话时间",
        "呼叫开始时间",
        "起始日期时间",
        "日期时间",
        "时间日期",
    ),
    "end": ("end", "end time", "endtime", "call end", "结束时间", "通话结束时间"),
    "duration": (
        "duration",
        "billsec",
        "billable",
        "billable seconds",
        "talk time",
        "talktime",
        "call duration",
        "duration(s)",
        "duration (s)",
        "seconds",
        "通话时长",
        "时长",
        "计费时长",
        "通话时长(秒)",
        "持续时间",
        "通话秒数",
    ),
    "cost": (
        "cost",
        "charge",
        "charges",
        "amount",
        "price",
        "fee",
        "total",
        "通话费",
        "费用",
        "话费",
        "金额",
        "通话费用",
        "基本通话费",
        "总费用",
        "合计",
        "费用合计",
        "小计",
    ),
    "direction": (
        "direction",
        "call direction",
        "in/out",
        "inout",
        "呼叫类型",
        "通话方式",
        "呼叫方式",
        "主被叫",
        "主/被叫",
        "主叫/被叫",
        "呼叫方向",
    ),
    "caller": (
        "caller",
        "from",
        "source",
        "src",
        "calling number",
        "calling party",
        "caller id",
        "主叫号码",
        "主叫",
    ),
    "callee": (
        "callee",
        "to",
        "destination",
        "dst",
        "called number",
        "called party",
        "dialled number",
        "dialed number",
        "被叫号码",
        "被叫",
    ),
    "number": (
        "number",
        "other party",
        "other number",
        "remote number",
        "phone number",
        "对方号码",
        "对端号码",
        "对方号",
        "号码",
        "对方电话",
    ),
    "date": ("date", "日期", "通话日期", "呼叫日期"),
    "time": ("time", "时间", "通话时刻", "起始时刻"),
    "status": ("status", "disposition", "result", "answered", "状态", "通话状态", "接听状态"),
}
OUTBOUND_WORDS = (
    "主叫",
    "呼出",
    "拨出",
    "去话",
    "outgoing",
    "out",
    "outbound",
    "o",
    "mo",
    "dialed",
    "dialled",
    "originating",
    "orig",
)
INBOUND_WORDS = (
    "被叫",
    "呼入",
    "来话",
    "接听",
    "incoming",
    "in",
    "inbound",
    "i",
    "mt",
    "received",
    "terminating",
    "term",
)
INTERNAL_WORDS = ("internal", "内部", "内线")
ANSWERED_WORDS = (
    "answered",
    "answer",
    "connected",
    "ok",
    "success",
    "yes",
    "y",
    "1",
    "true",
    "接通",
    "已接",
    "已接听",
    "应答",
    "成功",
    "是",
)
DATETIME_FAMILIES: dict[str, list[str]] = {
    "year first": [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H时%M分%S秒",
        "%Y%m%d%H%M%S",
        "%Y%m%d %H%M%S",
    ],
    "month first": [
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m-%d-%Y %H:%M:%S",
    ],
    "day first": [
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
    ],
}
_CURRENCIES = (
    ("CNY", ("元", "¥", "￥", "rmb", "cny")),
    ("USD", ("$", "usd")),
    ("EUR", ("€", "eur")),
    ("GBP", ("£", "gbp")),
)
_HEADER_NOISE = re.compile(r"[\(（\[【][^\)）\]】]*[\)）\]】]")
_SPACES = re.compile(r"\s+")


def _normalise_header(text: str) -> str:
    text = _HEADER_NOISE.sub("", text.replace("\ufeff", ""))
    return _SPACES.sub(" ", text.strip().lower().replace("_", " "))


@dataclass(frozen=True)
class Columns:
    """Positions (0-based) of each recognised role in a header row."""

    positions: dict[str, int]

    @property
    def usable(self) -> bool:
        has_time = "start" in self.positions or "date" in self.positions
        has_party = any(r in self.positions for r in ("number", "caller", "callee"))
        return has_time and "duration" in self.positions and has_party


def recognise(header: list[str]) -> Columns:
    """Map header cells to roles: exact names first, then names containing a known one."""
    names = [_normalise_header(cell) for cell in header]
    positions: dict[str, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        for role in ROLES:
            if role in positions:
                continue
            for i, name in enumerate(names):
                if i in taken or not name:
                    continue
                if any(
                    name == known or (not exact and len(known) >= 3 and known in name)
                    for known in HEADER_NAMES[role]
                ):
                    positions[role] = i
                    taken.add(i)
                    break
    if "start" not in positions and "date" in positions and "time" not in positions:
        positions["start"] = positions.pop("date")
    return Columns(positions)


def mapped_columns(name: str, header: list[str], mapping: ColumnMapping, line: int) -> Columns:
    """Positions of an explicit mapping's columns (header text or 1-based numbers)."""
    names = [_normalise_header(cell) for cell in header]
    positions: dict[str, int] = {}
    for role in ROLES:
        wanted = getattr(mapping, role)
        if wanted is None or not str(wanted).strip():
            continue
        wanted = str(wanted).strip()
        if wanted.isdigit() and 1 <= int(wanted) <= max(len(header), 1):
            positions[role] = int(wanted) - 1
            continue
        key = _normalise_header(wanted)
        if key not in names:
            raise BillError(name, f"no such column for {role}", line=line, column=wanted)
        positions[role] = names.index(key)
    columns = Columns(positions)
    if not columns.usable:
        raise BillError(
            name, "the mapping needs a start (or date), a duration and a number column", line=line
        )
    return columns


def find_header(records: list[list[str]]) -> tuple[int, Columns] | None:
    """The first of ``records`` that reads as a usable header row, and its columns."""
    for index, record in enumerate(records):
        columns = recognise(record)
        if columns.usable:
            return index, columns
    return None


def header_line_for_mapping(records: list[list[str]], mapping: ColumnMapping) -> int:
    """Index of the first record holding every header a mapping names (0 if it uses numbers)."""
    wanted = {
        _normalise_header(str(getattr(mapping, role)))
        for role in ROLES
        if getattr(mapping, role) is not None and not str(getattr(mapping, role)).isdigit()
    }
    for index, record in enumerate(records):
        if wanted <= {_normalise_header(cell) for cell in record}:
            return index
    return 0


def read_text(
    name: str,
    text: Text,
    records: list[list[str]],
    mapping: ColumnMapping | None,
) -> FileCalls:
    """Read a delimited generic bill (``records``: its first rows, to find the header)."""
    header_index, columns = _header(name, records, mapping)
    header = records[header_index]
    width = max(len(header), max((len(r) for r in records[header_index:]), default=0))
    raw = read_strings(name, text, [f"c{i}" for i in range(width)], skip_rows=header_index + 1)
    return _read_frame(name, raw, columns, header)


def read_rows(name: str, rows: list[list[str]], mapping: ColumnMapping | None) -> FileCalls:
    """Read a generic bill given as rows of cell texts (an XLSX sheet)."""
    header_index, columns = _header(name, rows[:30], mapping)
    header = rows[header_index]
    body = rows[header_index + 1 :]
    width = max([len(header), *(len(r) for r in body)])
    data = {
        f"c{i}": [r[i] if i < len(r) and r[i] != "" else None for r in body] for i in range(width)
    }
    raw = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
    raw = raw.with_row_index("line", offset=header_index + 2).with_columns(
        pl.col("line").cast(pl.Int64)
    )
    return _read_frame(name, raw, columns, header)


def sheet_score(rows: list[list[str]]) -> tuple[int, int]:
    """How well a sheet looks like a call list: (recognised roles, data rows)."""
    found = find_header(rows[:30])
    if found is None:
        return (0, len(rows))
    index, columns = found
    return (len(columns.positions), len(rows) - index - 1)


def _header(
    name: str, records: list[list[str]], mapping: ColumnMapping | None
) -> tuple[int, Columns]:
    if mapping is not None:
        index = header_line_for_mapping(records, mapping)
        header = records[index] if records else []
        return index, mapped_columns(name, header, mapping, index + 1)
    found = find_header(records)
    if found is None:
        raise BillError(
            name,
            "cannot recognise the columns (start time, duration, number): "
            "give a column mapping or --format",
            line=1,
            needs_mapping=True,
        )
    return found


def _read_frame(name: str, raw: pl.DataFrame, columns: Columns, header: list[str]) -> FileCalls:
    pos = columns.positions

    def col(role: str) -> pl.Series:
        column = f"c{pos[role]}"
        if column not in raw.columns:
            return pl.Series(role, [None] * raw.height, dtype=pl.String)
        return raw.get_column(column).cast(pl.String)

    raw = raw.filter(pl.any_horizontal(pl.exclude("line").is_not_null()))
    if "start" in pos:
        start_text = col("start")
        if "time" in pos:
            start_text = start_text + " " + col("time")
    else:
        start_text = col("date") + " " + col("time")
    start = parse_generic_datetimes(start_text)
    billsec = parse_durations(col("duration"))
    frame = raw.with_columns(start=start, billsec=billsec)
    talk_time_only = "end" not in pos
    if talk_time_only:
        frame = frame.with_columns(hold_s=pl.col("billsec"))
    else:
        end = parse_generic_datetimes(col("end"))
        frame = frame.with_columns(hold_s=(end - frame.get_column("start")).dt.total_seconds())
    direction = _directions(col("direction")) if "direction" in pos else None
    number = col("number") if "number" in pos else None
    caller = col("caller") if "caller" in pos else None
    callee = col("callee") if "callee" in pos else None
    frame = frame.with_columns(_parties(direction, number, caller, callee, raw.height))
    if "status" in pos:
        status = col("status").str.strip_chars().str.to_lowercase()
        answered = status.is_in(ANSWERED_WORDS).fill_null(False)
    elif caller is not None and callee is not None and number is None:
        answered = frame.get_column("billsec").fill_null(0) > 0
    else:
        answered = pl.Series([True] * raw.height, dtype=pl.Boolean)
    frame = frame.with_columns(answered=answered)
    currency = None
    if "cost" in pos:
        cost_text = col("cost")
        frame = frame.with_columns(cost=parse_costs(cost_text))
        currency = _currency(header[pos["cost"]], cost_text)
    frame = frame.with_columns(
        _skip=skip_reason(
            (pl.col("start").is_null(), SKIP_DATE),
            (pl.col("billsec").is_null() | pl.col("hold_s").is_null(), SKIP_DURATION),
            ((pl.col("billsec") < 0) | (pl.col("hold_s") < 0), SKIP_NEGATIVE),
        )
    )
    return finish(
        name,
        BillFormat.GENERIC,
        frame,
        rows_read=raw.height,
        talk_time_only=talk_time_only,
        currency=currency,
    )


def parse_generic_datetimes(values: pl.Series) -> pl.Series:
    """Date-times in the date order (year, month or day first) that reads most of a sample
    of the column, trying that order's formats for each value (null where none fits)."""
    text = (
        values.str.strip_chars()
        .str.replace_all(r"\s+", " ")
        .str.replace_all(r"(?-u:\b)(\d)(?-u:\b)", "0${1}")
    )
    sample = text.drop_nulls().head(2000)
    best: list[str] = []
    best_hits = 0
    for formats in DATETIME_FAMILIES.values():
        parsed = pl.Series([None] * sample.len(), dtype=pl.Datetime("us"))
        for fmt in formats:
            parsed = parsed.fill_null(sample.str.strptime(pl.Datetime("us"), fmt, strict=False))
        hits = parsed.drop_nulls().len()
        if hits > best_hits:
            best, best_hits = formats, hits
    result = pl.Series(values.name, [None] * values.len(), dtype=pl.Datetime("us"))
    for fmt in best:
        result = result.fill_null(text.str.strptime(pl.Datetime("us"), fmt, strict=False))
        if result.null_count() <= text.null_count():
            break
    return result


_HMS = r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?$"
_WORDS = (
    r"^(?:(\d+)\s*(?:小时|时|h|hr|hrs|hours?))?\s*"
    r"(?:(\d+)\s*(?:分钟|分|m|min|mins|minutes?))?\s*"
    r"(?:(\d+)\s*(?:秒钟|秒|s|sec|secs|seconds?))?$"
)


def parse_durations(values: pl.Series) -> pl.Series:
    """Seconds from ``75``, ``75.0``, ``1:15``, ``0:01:15``, ``1分15秒``, ``1h 1m 15s``
    (null where none fits; a negative plain number stays negative)."""
    text = values.str.strip_chars().str.to_lowercase()
    frame = text.to_frame("t")
    t = pl.col("t")
    plain = (
        pl.when(t.str.contains(r"^-?\d+(?:\.\d+)?$"))
        .then(t.cast(pl.Float64, strict=False).round(0).cast(pl.Int64, strict=False))
        .otherwise(None)
    )
    hms = t.str.extract_groups(_HMS)
    words = t.str.extract_groups(_WORDS)

    def seconds(groups: pl.Expr) -> pl.Expr:
        h = groups.struct.field("1").cast(pl.Int64, strict=False).fill_null(0)
        m = groups.struct.field("2").cast(pl.Int64, strict=False).fill_null(0)
        s = groups.struct.field("3").cast(pl.Int64, strict=False).fill_null(0)
        return h * 3600 + m * 60 + s

    by_hms = pl.when(t.str.contains(_HMS)).then(seconds(hms)).otherwise(None)
    by_words = (
        pl.when(t.str.contains(_WORDS) & t.str.contains(r"\d")).then(seconds(words)).otherwise(None)
    )
    return frame.select(pl.coalesce(plain, by_hms, by_words)).to_series().alias(values.name)


def parse_costs(values: pl.Series) -> pl.Series:
    """Exact decimal amounts from ``2.40``, ``¥2.40``, ``1,234.50`` or ``0,60`` (decimal comma)."""
    text = values.str.strip_chars().str.replace_all(r"[^0-9,.\-]", "")
    decimal_comma = text.str.contains(r"^-?\d+,\d{1,6}$")
    cleaned = (
        pl.select(
            pl.when(decimal_comma)
            .then(text.str.replace(",", "."))
            .otherwise(text.str.replace_all(",", ""))
        )
        .to_series()
        .replace("", None)
    )
    return cleaned.cast(COST_DTYPE, strict=False).alias("cost")


def _currency(header: str, values: pl.Series) -> str | None:
    head = header.lower()
    sample = " ".join(v for v in values.drop_nulls().head(50).to_list()).lower()
    for code, marks in _CURRENCIES:
        if any(mark in head for mark in marks) or any(mark in sample for mark in marks):
            return code
    return None


def _directions(values: pl.Series) -> pl.Series:
    word = values.str.strip_chars().str.to_lowercase()
    return (
        pl.select(
            pl.when(word.is_in(OUTBOUND_WORDS))
            .then(pl.lit("outbound"))
            .when(word.is_in(INBOUND_WORDS))
            .then(pl.lit("inbound"))
            .when(word.is_in(INTERNAL_WORDS))
            .then(pl.lit("internal"))
            .otherwise(None)
        )
        .to_series()
        .alias("direction")
    )


def _parties(
    direction: pl.Series | None,
    number: pl.Series | None,
    caller: pl.Series | None,
    callee: pl.Series | None,
    height: int,
) -> list[pl.Series]:
    """caller, callee and direction columns: a carrier bill names the remote party only
    (outbound unless its direction column says otherwise)."""
    empty = pl.Series([""] * height, dtype=pl.String)
    if number is not None and caller is None and callee is None:
        way = (
            direction.fill_null("outbound")
            if direction is not None
            else pl.Series(["outbound"] * height, dtype=pl.String)
        )
        remote = pl.select(normalise_number(pl.lit(number))).to_series()
        inbound = way == "inbound"
        caller_s = pl.select(
            pl.when(pl.lit(inbound)).then(pl.lit(remote)).otherwise(pl.lit(""))
        ).to_series()
        callee_s = pl.select(
            pl.when(pl.lit(inbound)).then(pl.lit("")).otherwise(pl.lit(remote))
        ).to_series()
        return [caller_s.alias("caller"), callee_s.alias("callee"), way.alias("direction")]
    caller_n = (
        pl.select(normalise_number(pl.lit(caller))).to_series() if caller is not None else empty
    )
    callee_source = callee if callee is not None else number
    callee_n = (
        pl.select(normalise_number(pl.lit(callee_source))).to_series()
        if callee_source is not None
        else empty
    )
    way = direction if direction is not None else pl.Series([None] * height, dtype=pl.String)
    return [caller_n.alias("caller"), callee_n.alias("callee"), way.alias("direction")]
