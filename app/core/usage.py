"""The usage profile: the pivot of Telroi (aggregates only, never a phone number).

The shape follows CONTRACT.md ("Usage profile") and adds what rating, charts and signals
need. ``buckets`` holds exact duration histograms at the finest resolution rating may use:
(direction, category, country, destination prefix, hour of week, month), stored as packed
integer columns so that a profile of a million calls stays small, loads fast and is rated
with numpy without conversion.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, model_validator

from app.core.money import Money


class Direction(StrEnum):
    """Which way a call crosses the client's PBX."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"
    INTERNAL = "internal"


class Category(StrEnum):
    """The class of the remote party's number (DESIGN.md, "Categories")."""

    INTERNAL = "internal"
    LOCAL = "local"
    NATIONAL = "national"
    MOBILE = "mobile"
    TOLL_FREE = "toll_free"
    SHARED_COST = "shared_cost"
    PREMIUM = "premium"
    INTERNATIONAL = "international"
    EMERGENCY = "emergency"
    SPECIAL = "special"
    UNKNOWN = "unknown"


class Period(BaseModel):
    """First and last call (local time, ISO 8601 with offset) and calendar days covered."""

    start: str
    end: str
    days: float


class RowCounts(BaseModel):
    """Rows read from the files, used as calls, and skipped with each reason's count."""

    read: int
    used: int
    skipped: int
    skipped_reasons: dict[str, int] = Field(default_factory=dict)


class Totals(BaseModel):
    calls: int
    answered_calls: int
    billable_seconds: int


class CategoryUsage(BaseModel):
    """Traffic of one (direction, category, country) with its exact duration histogram."""

    direction: Direction
    category: Category
    country: str | None
    calls: int
    answered_calls: int
    billable_seconds: int
    billed_cost: Money | None = None
    duration_histogram: dict[str, int] = Field(
        default_factory=dict, description="answered calls counted by billable seconds"
    )


class RecommendedChannels(BaseModel):
    gos: float
    channels: int


class BucketKey(BaseModel):
    """One rating bucket: the dimensions a tariff may price by.

    ``prefix`` is ``+CC NNNN`` (country code and the first four digits of the national
    number) or null where the number has no such form; ``hour_of_week`` is 0 (Monday 00:00)
    to 167 in the client's local time; ``month`` is ``YYYY-MM``.
    """

    direction: Direction
    category: Category
    country: str | None
    prefix: str | None
    hour_of_week: int = Field(ge=0, le=167)
    month: str


_COLUMN = np.dtype("<i4")
Ints = npt.NDArray[np.int64]


def pack(values: Iterable[int] | npt.NDArray[np.integer[Any]]) -> bytes:
    """Whole numbers as a packed bucket column: little-endian 32-bit integers."""
    array = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.int64)
    if len(array) and (int(array.min()) < -(2**31) or int(array.max()) >= 2**31):
        raise ValueError("a bucket column holds 32-bit whole numbers")
    return array.astype(_COLUMN).tobytes()


def _packed(value: Any) -> bytes:
    """A bucket column from its JSON text (base64), from bytes, or from whole numbers."""
    if isinstance(value, bytes):
        packed = value
    elif isinstance(value, str):
        try:
            packed = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError("a bucket column must be base64 text") from None
    elif isinstance(value, list | tuple | np.ndarray):
        packed = pack(value)
    else:
        raise ValueError("a bucket column must be base64 text or a list of whole numbers")
    if len(packed) % _COLUMN.itemsize:
        raise ValueError("a bucket column must hold whole 32-bit numbers")
    return packed


Packed = Annotated[
    bytes,
    BeforeValidator(_packed),
    PlainSerializer(
        lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json"
    ),
]
"""Whole numbers packed as little-endian int32 bytes; base64 text in JSON."""


class DurationBuckets(BaseModel):
    """Answered calls as a sparse table, column-wise and packed: row ``r`` is ``count[r]``
    calls of ``duration[r]`` billable seconds in bucket ``key[r]``; bucket ``b`` is
    (``lines[key_line[b]]``, ``prefixes[key_prefix[b]]``, hour of week ``key_hour[b]``,
    ``months[key_month[b]]``), see ``BucketKey``. Summing it over all but the line
    (direction, category, country) gives each ``CategoryUsage.duration_histogram`` exactly.

    Each column is ``Packed`` (int32 bytes in memory, base64 in JSON), so a profile of a
    million calls loads in milliseconds and rating reads its columns without conversion.
    The profile builder writes the buckets sorted by (line, month, hour, prefix) and the
    rows by (bucket, duration); rating accepts any order. ``keys`` gives the buckets as
    ``BucketKey`` objects (built on first use); ``keys=[…]`` with ``key``, ``duration`` and
    ``count`` as lists is accepted as input too, and so are the lists of the earlier
    unpacked form (``key_direction``, ``key_category``, ``key_country`` …)."""

    lines: list[tuple[Direction, Category, str | None]] = Field(default_factory=list)
    prefixes: list[str | None] = Field(default_factory=list)
    months: list[str] = Field(default_factory=list)
    key_line: Packed = b""
    key_prefix: Packed = b""
    key_hour: Packed = b""
    key_month: Packed = b""
    key: Packed = b""
    duration: Packed = b""
    count: Packed = b""

    @model_validator(mode="before")
    @classmethod
    def _from_key_objects(cls, data: Any) -> Any:
        """Accept ``keys=[BucketKey | dict, …]`` or the earlier per-key lists."""
        if not isinstance(data, dict) or not ({"keys", "key_direction"} & set(data)):
            return data
        data = dict(data)
        if "keys" in data:
            keys = [BucketKey.model_validate(k) for k in data.pop("keys")]
            columns: list[list[Any]] = [
                [k.direction for k in keys],
                [k.category for k in keys],
                [k.country for k in keys],
                [k.prefix for k in keys],
                [k.hour_of_week for k in keys],
                [k.month for k in keys],
            ]
        else:
            names = ["key_direction", "key_category", "key_country", "key_prefix"]
            columns = [data.pop(name) for name in [*names, "key_hour", "key_month"]]
            columns[:2] = [[Direction(d) for d in columns[0]], [Category(c) for c in columns[1]]]
        lines: dict[tuple[Direction, Category, str | None], int] = {}
        prefixes: dict[str | None, int] = {}
        months = sorted(set(columns[5]))
        month_codes = {month: i for i, month in enumerate(months)}
        data["key_line"] = [
            lines.setdefault(line, len(lines)) for line in zip(*columns[:3], strict=True)
        ]
        data["key_prefix"] = [prefixes.setdefault(p, len(prefixes)) for p in columns[3]]
        data["key_hour"] = columns[4]
        data["key_month"] = [month_codes[month] for month in columns[5]]
        data.update(lines=list(lines), prefixes=list(prefixes), months=months)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> DurationBuckets:
        """Columns of one length each, codes within their lists, hours 0 … 167."""
        key_columns = ["key_line", "key_prefix", "key_hour", "key_month"]
        keys = {len(getattr(self, name)) for name in key_columns}
        rows = {len(self.key), len(self.duration), len(self.count)}
        if len(keys) > 1 or len(rows) > 1:
            raise ValueError("buckets: the key columns, and the row columns, differ in length")
        bounds = {
            "key_line": len(self.lines),
            "key_prefix": len(self.prefixes),
            "key_hour": 168,
            "key_month": len(self.months),
            "key": len(self.key_line) // _COLUMN.itemsize,
        }
        for name, size in bounds.items():
            column = self.column(name)
            if len(column) and (int(column.min()) < 0 or int(column.max()) >= size):
                raise ValueError(f"buckets: {name} holds a value outside 0 … {size - 1}")
        for name in ("duration", "count"):
            column = self.column(name)
            if len(column) and int(column.min()) < 0:
                raise ValueError(f"buckets: {name} holds a negative value")
        return self

    def column(self, name: str) -> Ints:
        """A packed column as 64-bit integers."""
        packed: bytes = getattr(self, name)
        return np.frombuffer(packed, dtype=_COLUMN).astype(np.int64)

    @cached_property
    def keys(self) -> list[BucketKey]:
        """The buckets as ``BucketKey`` objects, in bucket order."""
        return [
            BucketKey.model_construct(
                direction=self.lines[line][0],
                category=self.lines[line][1],
                country=self.lines[line][2],
                prefix=self.prefixes[prefix],
                hour_of_week=hour,
                month=self.months[month],
            )
            for line, prefix, hour, month in zip(
                *(
                    self.column(name).tolist()
                    for name in ("key_line", "key_prefix", "key_hour", "key_month")
                ),
                strict=True,
            )
        ]


class MonthTotals(BaseModel):
    month: str
    calls: int
    answered_calls: int
    billable_seconds: int
    billed_cost: Money | None = None


class DayTraffic(BaseModel):
    """Trunk traffic of one local calendar day: its busiest clock hour in Erlangs."""

    date: str
    calls: int
    busy_hour_erlangs: float


class Signal(BaseModel):
    """A deal signal: what was seen, its figure and the threshold that raised it."""

    code: str
    figure: float
    threshold: float
    detail: str = ""


class UsageProfile(BaseModel):
    """A bill (or several) reduced to aggregates; see CONTRACT.md for the core keys."""

    period: Period
    rows: RowCounts
    totals: Totals
    categories: list[CategoryUsage]
    busy_hour_erlangs: float
    peak_concurrent_calls: int
    recommended_channels: RecommendedChannels
    distinct_extensions: int | None
    distinct_dids: int | None
    source: str = Field("measured", description="'measured' from bills or 'entered' by a rep")
    formats: list[str] = Field(default_factory=list)
    currency: str | None = Field(None, description="the currency of billed_cost, when known")
    talk_time_only: bool = Field(
        False, description="true for carrier bills: sizing is a lower bound (no ringing)"
    )
    weekday_hour_erlangs: list[list[float]] = Field(
        default_factory=list, description="7 × 24 mean Erlangs, Monday first, local time"
    )
    days: list[DayTraffic] = Field(default_factory=list)
    months: list[MonthTotals] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    buckets: DurationBuckets = Field(default_factory=DurationBuckets)
