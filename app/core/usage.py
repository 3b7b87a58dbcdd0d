"""The usage profile: the pivot of Telroi (aggregates only, never a phone number).

The shape follows CONTRACT.md ("Usage profile") and adds what rating, charts and signals
need. ``buckets`` holds exact duration histograms at the finest resolution rating may use:
(direction, category, country, destination prefix, hour of week, month), stored column-wise
so that a profile of a million calls stays small and rating can group it with numpy/polars.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, Field, model_validator

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


class DurationBuckets(BaseModel):
    """Answered calls as a sparse table, column-wise: ``count[i]`` calls of ``duration[i]``
    billable seconds in bucket ``key[i]``; bucket ``b`` is (``key_direction[b]``,
    ``key_category[b]``, ``key_country[b]``, ``key_prefix[b]``, ``key_hour[b]``,
    ``key_month[b]``), see ``BucketKey``. Summing it over all but (direction, category,
    country) gives each ``CategoryUsage.duration_histogram`` exactly.

    ``keys`` gives the buckets as ``BucketKey`` objects (built on first use); ``keys=[…]``
    is accepted as input too. The key columns keep a million-call profile cheap to build,
    store and load: hundreds of thousands of buckets need no object each."""

    key_direction: list[Direction] = Field(default_factory=list)
    key_category: list[Category] = Field(default_factory=list)
    key_country: list[str | None] = Field(default_factory=list)
    key_prefix: list[str | None] = Field(default_factory=list)
    key_hour: list[int] = Field(default_factory=list)
    key_month: list[str] = Field(default_factory=list)
    key: list[int] = Field(default_factory=list)
    duration: list[int] = Field(default_factory=list)
    count: list[int] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _columns_from_keys(cls, data: Any) -> Any:
        """Accept ``keys=[BucketKey | dict, …]`` in place of the key columns."""
        if isinstance(data, dict) and "keys" in data:
            data = dict(data)
            keys = [BucketKey.model_validate(k) for k in data.pop("keys")]
            data["key_direction"] = [k.direction for k in keys]
            data["key_category"] = [k.category for k in keys]
            data["key_country"] = [k.country for k in keys]
            data["key_prefix"] = [k.prefix for k in keys]
            data["key_hour"] = [k.hour_of_week for k in keys]
            data["key_month"] = [k.month for k in keys]
        return data

    @cached_property
    def keys(self) -> list[BucketKey]:
        """The buckets as ``BucketKey`` objects, in bucket order."""
        return [
            BucketKey.model_construct(
                direction=direction,
                category=category,
                country=country,
                prefix=prefix,
                hour_of_week=hour,
                month=month,
            )
            for direction, category, country, prefix, hour, month in zip(
                self.key_direction,
                self.key_category,
                self.key_country,
                self.key_prefix,
                self.key_hour,
                self.key_month,
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
