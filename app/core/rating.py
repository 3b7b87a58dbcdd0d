"""Rating: a usage profile priced exactly under a tariff (DESIGN.md, "Billing").

Public API (for scenarios, finance, the API and the CLI)::

    from app.core.tariffs import Tariff, load_tariff, parse_tariff
    from app.core.rating import (
        Component, LineItem, Quantities, UsageLine, UsageRating,
        prepare_profile, rate_usage, rate_months, rate_period, price_tariff,
        rate_card_rating, reconcile,
    )

    tariff = load_tariff("tariffs/cn-sip-trunk.yaml")          # or parse_tariff(text, name)
    prepared = prepare_profile(profile)   # optional: reuse to rate one profile many times
    avg = rate_usage(prepared, tariff)                     # the average month (× 30.4375 / D)
    sept = rate_usage(prepared, tariff, month="2026-09")   # one calendar month, unscaled
    months = rate_months(prepared, tariff)                 # every calendar month of the profile
    whole = rate_period(prepared, tariff)                  # the whole period (pools by month)
    q = Quantities.from_profile(profile, seats=60)         # channels, DIDs, extensions, seats
    items = price_tariff(tariff, q, avg)                   # -> list[LineItem]

Every ``rate_*`` accepts a ``UsageProfile`` or a ``PreparedProfile`` (prepare once: the
runs for each tariff are cached on it); pools drawn per seat count ``seats=`` (default:
the profile's distinct extensions, else 1).

``UsageRating``: ``currency``, ``month`` (None for the average month, ``"YYYY-MM"``, or
``"period"``), ``scale`` (the factor applied to the profile's counts), ``lines`` (one
``UsageLine`` per (direction, category, country): ``calls``, ``unrated_calls`` (no rate, no
free rule: not charged), ``billed_seconds``, ``billed_minutes``, ``rate_per_minute`` and
``increment`` (of the one rate that priced the line, else None), ``amount_before_pool``,
``pool_minutes`` drawn, ``amount``, ``status`` = ``rated`` | ``free`` | ``no_rate``), ``pools``
(``PoolUse``: minutes included, drawn, overage) and ``total``.

``LineItem`` (what a scenario stacks by ``component``): ``component`` (``equipment``,
``licences``, ``installation``, ``maintenance``, ``labour``, ``channels``, ``dids``, ``seats``,
``usage``, ``other``), ``kind`` (``usage``, ``recurring``, ``one_time``, ``equipment``,
``maintenance``, ``labour``, ``power``, ``bandwidth``, ``tax``, ``commitment``), ``name``,
``recurrence`` (``monthly`` | ``one_time``), ``quantity``, ``unit_price``, ``amount``,
``quantity_source`` (e.g. ``"profile: recommended channels 19 → block of 30"``),
``lifetime_months`` (equipment: bought again at end of life; None = outlives the horizon),
``residual_value`` (of the quantity, at end of life), ``starts_after_months`` (maintenance: the
warranty). Equipment is priced as a purchase (one-time) unless ``price_tariff(...,
rent_equipment=True)`` and the item has a rental alternative (then monthly). The timing of
replacements and maintenance over a horizon is the scenario's job; the tariff holds the data.

``rate_card_rating(profile, rates, currency)`` returns exactly the JSON shape of CONTRACT.md's
``POST /api/v1/ratings`` (the whole period); ``rating_json(rating)`` turns a ``UsageRating`` into
the same shape. ``reconcile(profile, tariff, tolerance=0.05)`` sets the rated whole period
against the bill's ``billed_cost`` per (direction, category) and lists findings.

Exactness: each line's calls become tail counts, ``tail[x]`` = its calls longer than x
seconds (from its duration histogram: the buckets summed, by construction). Under a rate of
increment a/b a call of d s takes ``ceil(max(0, d − a)/b) = Σ_{j ≥ 0} [d > a + j·b]`` steps,
so a run of calls under one rate takes ``Σ_j tail[a + j·b]`` steps in all (a strided sum),
is billed ``a·tail[0] + b·steps`` seconds and charged ``base·tail[0] + per_step·steps`` in
integer ticks of 1 / (60 · 10^E) of the currency (E: the most decimal places of any usage
price, at most 6); a minimum charge or per-call rounding is applied per number of steps
(``_ticks_by_steps``). The result equals rating every call one by one, exactly; scaling and
conversion to Decimal use whole numerators over one denominator (fractions only for pools
and totals rounded by the tariff). A line priced by prefix or time band is split into one
run per rate: its calls cumulated by hour of the week or by prefix give each window of
hours or prefixes of one rate by a subtraction (``_UnitTails``); a line priced by both reads
its bucket rows instead. The rate is chosen once per distinct line, tariff prefix and band.

Speed: ``prepare_profile`` reads nothing; the histograms are turned into tail counts on the
first rating of the average month, the buckets (packed columns, already in index order when
the profile builder wrote them) indexed only when a tariff prices some line by prefix or
band, or a calendar month is rated. A new tariff then costs a few Python operations per
line and a few numpy ones per split line, whatever the number of calls
(``bench/rating.py`` gives the figures).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property, lru_cache
from itertools import chain
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.money import Money
from app.core.tariffs import (
    WEEKDAYS,
    Basis,
    Charge,
    Component,
    EquipmentItem,
    Price,
    Rounding,
    Tariff,
    TariffKind,
    Tax,
    TaxBasis,
    Usage,
    UsageRate,
    check_rate_places,
    parse_increment,
    parse_traffic,
)
from app.core.usage import Category, Direction, UsageProfile

__all__ = [
    "AVERAGE_MONTH_DAYS",
    "Component",
    "LineItem",
    "PoolUse",
    "PreparedProfile",
    "Quantities",
    "RateCardEntry",
    "Reconciliation",
    "ReconciliationLine",
    "Recurrence",
    "UsageLine",
    "UsageRating",
    "prepare_profile",
    "price_tariff",
    "rate_card_rating",
    "rate_card_tariff",
    "rate_months",
    "rate_period",
    "rate_usage",
    "rating_json",
    "reconcile",
]

AVERAGE_MONTH_DAYS = Fraction(304375, 10000)
"""Days in an average month (365.25 / 12): a profile of D days is scaled by 30.4375 / D."""

Int64s = npt.NDArray[np.int64]
LineKey = tuple[Direction, Category, str | None]


_DIVISION = Context(prec=28)


_ZERO = Decimal(0)


def _quotient(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` as a Decimal: exact when it terminates, else to 28
    significant digits."""
    if not numerator:
        return _ZERO
    return _DIVISION.divide(Decimal(numerator), Decimal(denominator))


def _decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal (see ``_quotient``)."""
    return _quotient(value.numerator, value.denominator)


# ------------------------------------------------------------------------ prepared profiles


class PreparedProfile:
    """A profile ready to be rated many times: what rating reads is built on first use and
    kept, and the runs for each tariff are cached.

    ``lines`` lists the (direction, category, country) lines, coded in the order of the
    buckets' ``lines``, then of the categories. The average month is read from the categories'
    duration histograms when they account for every answered call (they are the buckets
    summed over prefix, hour and month, by construction); the buckets are indexed
    (``index``) only for a line some rate of which depends on the prefix or the time band,
    for a calendar month, or when the histograms are missing. A profile without buckets is
    indexed from its histograms (no hour, prefix or month: banded and prefix rates then
    cannot apply, and months cannot be rated).
    """

    def __init__(self, profile: UsageProfile) -> None:
        self.profile = profile
        self.lines: list[LineKey] = []
        self._line_codes: dict[LineKey, int] = {}
        for line in profile.buckets.lines:  # first: keeps the buckets' order of lines
            self.line_code(line)
        for usage in profile.categories:
            self.line_code((usage.direction, usage.category, usage.country))
        self._cells: dict[str | None, _Cells] = {}
        self._traffic: dict[str | None, dict[int, _Traffic]] = {}
        self._runs: dict[tuple[int, str | None], tuple[Usage, list[_Run]]] = {}
        self._unit_tails: dict[tuple[int, str | None, bool], _UnitTails | None] = {}
        self._tables: dict[int, tuple[Usage, _RateTable]] = {}

    def line_code(self, line: LineKey) -> int:
        """The code of ``line`` in ``lines`` (appended if new)."""
        code = self._line_codes.setdefault(line, len(self.lines))
        if code == len(self.lines):
            self.lines.append(line)
        return code

    @cached_property
    def index(self) -> _BucketIndex:
        """The buckets as integer columns, grouped by line (built on first use)."""
        return _index_buckets(self)

    @property
    def months(self) -> list[str]:
        """The calendar months of the buckets, ``YYYY-MM`` in order."""
        return self.index.months

    # The bucket columns, for callers that rate call by call (bench/comparison.py).
    @property
    def prefixes(self) -> list[str | None]:
        return self.index.prefixes

    @property
    def key_line(self) -> Int64s:
        return self.index.key_line

    @property
    def key_prefix(self) -> Int64s:
        return self.index.key_prefix

    @property
    def key_hour(self) -> Int64s:
        return self.index.key_hour

    @property
    def row_key(self) -> Int64s:
        return self.index.row_key

    @property
    def duration(self) -> Int64s:
        return self.index.duration

    @property
    def count(self) -> Int64s:
        return self.index.count

    def cells(self, month: str | None) -> _Cells:
        """Answered calls by (line, duration): of the whole profile (``month`` None; from
        the histograms when complete) or of one calendar month (from the buckets)."""
        cells = self._cells.get(month)
        if cells is None:
            histograms = _histogram_cells(self) if month is None else None
            cells = histograms if histograms is not None else _index_cells(self.index, month)
            self._cells[month] = cells
        return cells

    def traffic(self, month: str | None) -> dict[int, _Traffic]:
        """Each line's answered calls (of one month, or all) as tail counts (cached)."""
        traffic = self._traffic.get(month)
        if traffic is None:
            cells = self.cells(month)
            bounds = cells.run_bounds
            traffic = self._traffic[month] = {
                line: _Traffic.of(cells.duration[start:stop], cells.count[start:stop])
                for line, start, stop in zip(cells.run_line, bounds, bounds[1:], strict=False)
            }
        return traffic

    def unit_tails(self, line: int, month: str | None, by_prefix: bool) -> _UnitTails | None:
        """The bucket rows of ``line`` (of one month, or all) by hour of the week or by
        prefix, as cumulated tail counts (cached; None when too large to keep)."""
        cache_key = (line, month, by_prefix)
        if cache_key not in self._unit_tails:
            month_code = None if month is None else self.months.index(month)
            width = len(self.traffic(month)[line].tail)
            self._unit_tails[cache_key] = _unit_tails(
                self.index, line, month_code, by_prefix, width
            )
        return self._unit_tails[cache_key]

    def runs(self, usage: Usage, month: str | None) -> list[_Run]:
        """The calls in runs of one (line, rate slot) under ``usage``, for one month or all
        (cached)."""
        cache_key = (id(usage), month)
        hit = self._runs.get(cache_key)
        if hit is None or hit[0] is not usage:
            hit = (usage, _runs(self, usage, month))
            self._runs[cache_key] = hit
        return hit[1]

    def rate_table(self, usage: Usage) -> _RateTable:
        """The usage rates in integer ticks (cached like the runs)."""
        hit = self._tables.get(id(usage))
        if hit is None or hit[0] is not usage:
            hit = (usage, _rate_table(usage))
            self._tables[id(usage)] = hit
        return hit[1]


def prepare_profile(profile: UsageProfile | PreparedProfile) -> PreparedProfile:
    """A ``PreparedProfile`` (the same object if already prepared); nothing is read yet."""
    return profile if isinstance(profile, PreparedProfile) else PreparedProfile(profile)


@dataclass(frozen=True)
class _Cells:
    """``count[i]`` answered calls of ``duration[i]`` seconds on line ``line[i]``, sorted by
    line then duration; the cells come in runs of one line: run ``j`` is cells
    ``run_bounds[j]`` … ``run_bounds[j + 1] − 1`` of line ``run_line[j]``."""

    line: Int64s
    duration: Int64s
    count: Int64s
    run_line: list[int]
    run_bounds: list[int]

    @classmethod
    def of(cls, line: Int64s, duration: Int64s, count: Int64s) -> _Cells:
        starts = (line[1:] != line[:-1]).nonzero()[0] + 1
        bounds = [0, *starts.tolist(), len(line)] if len(line) else [0]
        return cls(line, duration, count, line[bounds[:-1]].tolist(), bounds)


@dataclass(frozen=True)
class _Traffic:
    """Answered calls of one line (or of a part of it): ``calls`` in all and ``tail[x]``
    of them longer than x seconds, x = 0 … the longest (whose ``tail`` is 0)."""

    calls: int
    tail: Int64s

    @classmethod
    def of(cls, duration: Int64s, count: Int64s) -> _Traffic:
        """From distinct durations, sorted, and their call counts:
        ``tail[x] = calls − Σ_{d ≤ x} count(d)``."""
        histogram = np.zeros(int(duration[-1]) + 1, dtype=np.int64)
        histogram[duration] = count
        calls = int(count.sum())
        return cls(calls, calls - histogram.cumsum())


@dataclass(frozen=True)
class _BucketIndex:
    """The buckets as integer columns, keys sorted by (line, month, hour): segment
    ``s = segment(line, month, hour)`` has the keys ``segment_key_start[s]`` …
    ``segment_key_start[s + 1] − 1``, key ``k`` the rows ``key_row_start[k]`` …
    ``key_row_start[k + 1] − 1``; row ``r`` is ``count[r]`` calls of ``duration[r]`` seconds
    in key ``row_key[r]``. ``key_prefix`` indexes ``prefixes`` (None: no prefix),
    ``key_hour`` is 0…167 (168: unknown), ``key_month`` indexes ``months`` (−1: unknown)."""

    prefixes: list[str | None]
    months: list[str]
    key_line: Int64s
    key_prefix: Int64s
    key_hour: Int64s
    key_month: Int64s
    segment_key_start: Int64s
    key_row_start: Int64s
    row_key: Int64s
    duration: Int64s
    count: Int64s

    def segment(self, line: int, month: int, hour: int) -> int:
        """``(line · (M + 1) + month + 1) · 169 + hour``, M months (month −1: unknown)."""
        return (line * (len(self.months) + 1) + month + 1) * 169 + hour

    hour_rows: dict[tuple[int, int | None], tuple[Int64s, Int64s]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def hour_units(self, line: int, month: int | None) -> tuple[Int64s, Int64s]:
        """The rows of ``line`` (of one month, if given) per (month, hour), hours 0…168 of
        each month in turn: each unit's first row and row count (cached)."""
        units = self.hour_rows.get((line, month))
        if units is None:
            months = range(-1, len(self.months)) if month is None else [month]
            firsts = _int64s([self.segment(line, m, 0) for m in months])
            segments = (firsts[:, None] + np.arange(169)).reshape(-1)
            row_start = self.key_row_start[self.segment_key_start[segments]]
            row_stop = self.key_row_start[self.segment_key_start[segments + 1]]
            units = self.hour_rows[(line, month)] = (row_start, row_stop - row_start)
        return units

    key_prefix_codes: dict[tuple[int, int | None], tuple[list[int], Int64s]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def line_prefixes(self, line: int, month: int | None) -> tuple[list[int], Int64s]:
        """The distinct prefixes (indexes into ``prefixes``) of the keys of ``line`` (of one
        month, if given), and each key's index among them (cached)."""
        hit = self.key_prefix_codes.get((line, month))
        if hit is None:
            start, stop = self.key_range(line, month)
            distinct, of_key = _distinct(self.key_prefix[start:stop], len(self.prefixes))
            hit = self.key_prefix_codes[(line, month)] = (distinct.tolist(), of_key)
        return hit

    def key_range(self, line: int, month: int | None) -> tuple[int, int]:
        """The keys of ``line`` (of one month, if given) are ``start`` … ``stop − 1``."""
        first = self.segment(line, -1 if month is None else month, 0)
        last = self.segment(line + 1, -1, 0) if month is None else first + 169
        return int(self.segment_key_start[first]), int(self.segment_key_start[last])


def _int64s(values: Sequence[int]) -> Int64s:
    return np.asarray(values, dtype=np.int64)


def _histogram_cells(prepared: PreparedProfile) -> _Cells | None:
    """The categories' duration histograms, one cell per (category, duration); None when
    the profile has buckets and the histograms do not account for every answered call
    (Σ counts ≠ ``answered_calls``)."""
    profile = prepared.profile
    histograms = [usage.duration_histogram for usage in profile.categories]
    counts = chain.from_iterable(h.values() for h in histograms)
    count = np.fromiter(counts, dtype=np.int64, count=sum(map(len, histograms)))
    if profile.buckets.key and int(count.sum()) != profile.totals.answered_calls:
        return None
    text = " ".join(" ".join(h) for h in histograms if h)
    digits = text.replace(" ", "")
    whole = digits.isascii() and digits.isdigit()
    duration = np.fromstring(text, dtype=np.int64, sep=" ") if whole else count[:0]
    if len(duration) != len(count):  # a key that is not a whole number, or an empty one
        raise ValueError("profile: duration_histogram keys must be whole seconds")
    codes = [prepared.line_code((u.direction, u.category, u.country)) for u in profile.categories]
    line = np.repeat(_int64s(codes), [len(h) for h in histograms])
    width = int(duration.max()) + 1 if len(duration) else 1
    cell_codes, sums = _sum_by(line * width + duration, count)
    cell_line, cell_duration = np.divmod(cell_codes, width)
    return _Cells.of(cell_line, cell_duration, sums)


def _index_buckets(prepared: PreparedProfile) -> _BucketIndex:
    """The bucket columns as integers, keys sorted by (line, month, hour), rows by key (as
    the profile builder writes them: then nothing is sorted here)."""
    buckets = prepared.profile.buckets
    if buckets.key:
        line_codes = _int64s([prepared.line_code(line) for line in buckets.lines])
        key_line = line_codes[buckets.column("key_line")]
        key_prefix, prefixes = buckets.column("key_prefix"), list(buckets.prefixes)
        key_hour = buckets.column("key_hour")
        months = sorted(buckets.months)
        month_codes = _int64s([months.index(month) for month in buckets.months])
        key_month = month_codes[buckets.column("key_month")]
        row_key, duration, count = (buckets.column(c) for c in ("key", "duration", "count"))
    else:  # no buckets: one key per line (its histogram), with no prefix, hour or month
        cells = prepared.cells(None)
        keys = len(prepared.lines)
        key_line = np.arange(keys, dtype=np.int64)
        key_prefix, prefixes = np.zeros(keys, dtype=np.int64), [None]
        key_hour = np.full(keys, 168, dtype=np.int64)
        key_month, months = np.full(keys, -1, dtype=np.int64), []
        row_key, duration, count = cells.line, cells.duration, cells.count
    key_segment = (key_line * (len(months) + 1) + key_month + 1) * 169 + key_hour
    if (key_segment[1:] < key_segment[:-1]).any():
        key_order = np.argsort(key_segment, kind="stable")
        key_rank = np.empty_like(key_order)
        key_rank[key_order] = np.arange(len(key_order))
        key_line, key_prefix, key_hour, key_month, key_segment = (
            column[key_order] for column in (key_line, key_prefix, key_hour, key_month, key_segment)
        )
        row_key = key_rank[row_key]
    if (row_key[1:] < row_key[:-1]).any():
        row_order = np.argsort(row_key, kind="stable")
        row_key, duration, count = row_key[row_order], duration[row_order], count[row_order]
    segments = len(prepared.lines) * (len(months) + 1) * 169
    key_rows = np.bincount(row_key, minlength=len(key_line))
    return _BucketIndex(
        prefixes=prefixes,
        months=months,
        key_line=key_line,
        key_prefix=key_prefix,
        key_hour=key_hour,
        key_month=key_month,
        segment_key_start=np.searchsorted(key_segment, np.arange(segments + 1)),
        key_row_start=np.concatenate([[0], key_rows.cumsum()]).astype(np.int64),
        row_key=row_key,
        duration=duration,
        count=count,
    )


def _sum_by(codes: Int64s, weights: Int64s) -> tuple[Int64s, Int64s]:
    """The distinct ``codes`` whose ``weights`` sum to other than 0, sorted, and those sums
    (summed in float64 by ``np.bincount``: exact below 2^53 calls)."""
    if not len(codes):
        return codes, weights
    if int(codes.max()) < 4_000_000:
        sums = np.bincount(codes, weights)
        distinct = np.flatnonzero(sums).astype(np.int64)
        return distinct, sums[distinct].astype(np.int64)
    distinct, inverse = np.unique(codes, return_inverse=True)
    totals = np.bincount(inverse.reshape(-1), weights).astype(np.int64)
    kept = totals != 0
    return distinct[kept], totals[kept]


def _index_cells(index: _BucketIndex, month: str | None) -> _Cells:
    """Answered calls by (line, duration) summed from the buckets: all, or one month's."""
    row_line, duration, count = index.key_line[index.row_key], index.duration, index.count
    if month is not None:
        rows = index.key_month[index.row_key] == index.months.index(month)
        row_line, duration, count = row_line[rows], duration[rows], count[rows]
    width = int(duration.max()) + 1 if len(duration) else 1
    codes, sums = _sum_by(row_line * width + duration, count)
    line, cell_duration = np.divmod(codes, width)
    return _Cells.of(line, cell_duration, sums)


def _distinct(codes: Int64s, size: int) -> tuple[Int64s, Int64s]:
    """The distinct values of small non-negative ``codes`` (< ``size``), sorted, and each
    code's index among them — ``np.unique(..., return_inverse=True)`` without a sort."""
    present = np.zeros(size, dtype=bool)
    present[codes] = True
    index = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.int64), index[codes].astype(np.int64)


def _ranges(starts: Int64s, lengths: Int64s) -> Int64s:
    """``starts[i], starts[i] + 1, …, starts[i] + lengths[i] − 1`` for each i, end to end."""
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    result: Int64s = np.repeat(starts - ends + lengths, lengths) + np.arange(total)
    return result


FREE = -1
NO_RATE = -2


_MAX_UNIT_CELLS = 2**21
"""The most (units × seconds) cells a line's ``_UnitTails`` may hold (16 MiB)."""
_UNIT_CELLS_PER_ROW = 4
"""A line's ``_UnitTails`` is built only when it holds at most this many cells per bucket
row of the line: else splitting reads the rows themselves, which costs less. This also
bounds what the sums keep to a few times the size of the buckets."""


@dataclass(frozen=True)
class _UnitTails:
    """A line's calls (of one month, or all) by unit — the hours of the week 0 … 168
    (168: unknown), or the line's bucket prefixes in the order of their text (so that
    those under one tariff prefix are neighbours) — cumulated over the units: units u …
    v − 1 hold ``calls[v] − calls[u]`` calls, ``tails[v] − tails[u]`` the tail counts of
    those (as in ``_Traffic``). ``labels[u]``: the hour, or the index into ``prefixes``."""

    labels: list[int]
    calls: list[int]
    tails: Int64s


def _unit_tails(
    index: _BucketIndex, line: int, month: int | None, by_prefix: bool, width: int
) -> _UnitTails | None:
    """Sum a line's bucket rows by (unit, duration), turn each unit's histogram into tail
    counts, cumulate them over the units. None when units × ``width`` is too large: above
    ``_MAX_UNIT_CELLS``, or ``_UNIT_CELLS_PER_ROW`` times the line's rows."""
    start, stop = index.key_range(line, month)
    first, last = int(index.key_row_start[start]), int(index.key_row_start[stop])
    keys = index.row_key[first:last]
    if by_prefix:
        codes, of_key = index.line_prefixes(line, month)
        order = sorted(range(len(codes)), key=lambda i: index.prefixes[codes[i]] or "")
        rank = np.empty(len(codes), dtype=np.int64)
        rank[order] = np.arange(len(codes))
        labels, unit = [codes[i] for i in order], rank[of_key[keys - start]]
    else:
        labels, unit = list(range(169)), index.key_hour[keys]
    if len(labels) * width > min(_MAX_UNIT_CELLS, _UNIT_CELLS_PER_ROW * (last - first)):
        return None
    duration = index.duration[first:last]
    if len(duration) and int(duration.max()) >= width:
        raise _disagree()
    histograms = np.bincount(
        unit * width + duration, index.count[first:last], minlength=len(labels) * width
    ).reshape(len(labels), width)  # exact below 2^53 calls (float64)
    calls = histograms.sum(axis=1)
    tails = np.zeros((len(labels) + 1, width), dtype=np.int64)
    tails[1:] = (calls[:, None] - histograms.cumsum(axis=1)).cumsum(axis=0)
    return _UnitTails(labels, [0, *calls.cumsum().astype(np.int64).tolist()], tails)


@dataclass(frozen=True)
class _Run:
    """Calls of one line charged by one rate slot: an index into ``usage.rates``, or
    ``len(usage.rates)`` for NO_RATE, ``len(usage.rates) + 1`` for FREE (the slot modulo
    ``len(usage.rates) + 2``); ``tail`` as in ``_Traffic``."""

    line: int
    slot: int
    calls: int
    tail: Int64s


_parse_traffic = lru_cache(maxsize=256)(parse_traffic)


def _traffic_matches(rules: Iterable[str], direction: Direction, category: Category) -> bool:
    for rule in rules:
        rule_direction, rule_category = _parse_traffic(rule)
        if rule_direction in (None, direction) and rule_category in (None, category):
            return True
    return False


def _specificity(rate: UsageRate) -> tuple[int, bool, bool]:
    """Longest prefix first, then a rate with a country, then one with a time band."""
    prefix_length = len(rate.prefix.replace(" ", "")) if rate.prefix else 0
    return prefix_length, rate.country is not None, rate.band is not None


def _line_rates(usage: Usage, lines: Sequence[LineKey]) -> list[list[tuple[int, UsageRate]]]:
    """For each line, the rates (with their index) that may price its calls: of its
    direction and category, of its country or of none."""
    by_traffic: dict[tuple[Direction, Category], list[tuple[int, UsageRate]]] = {}
    for index, rate in enumerate(usage.rates):
        by_traffic.setdefault((rate.direction, rate.category), []).append((index, rate))
    return [
        [(i, rate) for i, rate in by_traffic.get((d, c), []) if rate.country in (None, country)]
        for d, c, country in lines
    ]


def _choose_among(
    usage: Usage,
    rates: list[tuple[int, UsageRate]],
    line: LineKey,
    chain: frozenset[str],
    band: str | None,
) -> int:
    """The slot of the most specific of a line's ``rates`` for a call with the tariff
    prefixes ``chain`` and time ``band``: a rate index, else FREE (a free category) or
    NO_RATE."""
    best, best_key = NO_RATE, (-1, False, False)
    for index, rate in rates:
        if (
            (rate.prefix is None or rate.prefix in chain)
            and (rate.band is None or rate.band == band)
            and _specificity(rate) > best_key
        ):
            best, best_key = index, _specificity(rate)
    if best == NO_RATE and _traffic_matches(usage.free_categories, *line[:2]):
        return FREE
    return best


def _choose_rate(usage: Usage, line: LineKey, chain: frozenset[str], band: str | None) -> int:
    """The slot of the most specific rate for a call: a rate index, FREE or NO_RATE."""
    return _choose_among(usage, _line_rates(usage, [line])[0], line, chain, band)


def _prefix_chain(prefix: str | None, tariff_prefixes: set[str]) -> frozenset[str]:
    """The tariff prefixes that a bucket prefix (``+CC NNNN``) starts with."""
    if prefix is None or not tariff_prefixes:
        return frozenset()
    country_code, _, national = prefix.partition(" ")
    candidates = [country_code] + [f"{country_code} {national[:n]}" for n in range(1, 5)]
    return frozenset(c for c in candidates if c in tariff_prefixes)


def _band_of_hour(usage: Usage) -> Int64s:
    """Each hour of the week's band, as an index into ``usage.time_bands``; the hours of no
    band and the unknown hour 168 get ``len(usage.time_bands)``."""
    band_of_hour = [len(usage.time_bands)] * 169
    for index, windows in enumerate(usage.time_bands.values()):
        for window in windows:
            hours = [index] * (window.to_hour - window.from_hour)
            for day in window.days:
                first = 24 * WEEKDAYS.index(day) + window.from_hour
                band_of_hour[first : first + len(hours)] = hours
    return _int64s(band_of_hour)


def _units(
    prepared: PreparedProfile,
    usage: Usage,
    line: int,
    rates: list[tuple[int, UsageRate]],
    month: int | None,
) -> tuple[Int64s, Int64s, Int64s]:
    """The bucket rows of ``line`` (of one month, if given) in units that each take one
    of its ``rates``: per (month, hour) when none has a prefix, else per key. Returns each
    unit's first row, row count and slot (chosen once per distinct tariff-prefix chain and
    time band)."""
    index = prepared.index
    key = prepared.lines[line]
    band_names: list[str | None] = [*usage.time_bands, None]
    banded = any(rate.band for _, rate in rates)
    line_prefixes = {rate.prefix for _, rate in rates if rate.prefix}
    if not line_prefixes:
        band_of_hour = _band_of_hour(usage)
        band_slot = _int64s([_choose_among(usage, rates, key, frozenset(), b) for b in band_names])
        row_start, row_count = index.hour_units(line, month)
        return row_start, row_count, np.tile(band_slot[band_of_hour], len(row_start) // 169)
    start, stop = index.key_range(line, month)
    chains: dict[frozenset[str], int] = {}
    prefixes, prefix_of_key = index.line_prefixes(line, month)
    chain_of_prefix = _int64s(
        [
            chains.setdefault(_prefix_chain(index.prefixes[p], line_prefixes), len(chains))
            for p in prefixes
        ]
    )
    row_start = index.key_row_start[start:stop]
    row_count = index.key_row_start[start + 1 : stop + 1] - row_start
    if not banded:
        chain_slot = _int64s([_choose_among(usage, rates, key, c, None) for c in chains])
        return row_start, row_count, chain_slot.take(chain_of_prefix).take(prefix_of_key)
    n_bands = len(band_names)
    band_of_hour = _band_of_hour(usage)
    group = chain_of_prefix[prefix_of_key] * n_bands + band_of_hour[index.key_hour[start:stop]]
    groups, group_of_key = _distinct(group, len(chains) * n_bands)
    chain_list = list(chains)
    group_slot = _int64s(
        [
            _choose_among(usage, rates, key, chain_list[g // n_bands], band_names[g % n_bands])
            for g in groups.tolist()
        ]
    )
    return row_start, row_count, group_slot[group_of_key]


def _runs(prepared: PreparedProfile, usage: Usage, month: str | None) -> list[_Run]:
    """The calls in runs of one (line, rate slot) under ``usage``.

    A line none of whose rates depends on the prefix or the time band is one run, under
    the one rate that matches it (or NO_RATE, FREE). A line priced by prefix or band is
    split (``_split``). Lines without answered calls have no run.
    """
    if month is not None and month not in prepared.months:
        raise ValueError(f"the profile has no calls in month {month!r}")
    traffic = prepared.traffic(month)
    n_slots = len(usage.rates) + 2
    lines = prepared.lines
    runs = []
    for line, rates in enumerate(_line_rates(usage, lines)):
        whole = traffic.get(line)
        if whole is None:
            continue
        if any(rate.prefix or rate.band for _, rate in rates):
            split = _split(prepared, usage, line, rates, month, whole)
            if split is not None:
                runs += split
                continue
        slot = _choose_among(usage, rates, lines[line], frozenset(), None) % n_slots
        runs.append(_Run(line, slot, whole.calls, whole.tail))
    return runs


def _disagree() -> ValueError:
    return ValueError("profile: the duration histograms disagree with the buckets")


def _split_by_units(units: _UnitTails, slots: list[int], line: int, whole: _Traffic) -> list[_Run]:
    """A line split by the slot of each of its units: the units in windows of one slot,
    the slot D with the most calls taking the line's calls less the other windows'."""
    windows: list[list[int]] = []  # [start, stop, slot]
    for unit, slot in enumerate(slots):
        if windows and windows[-1][2] == slot:
            windows[-1][1] = unit + 1
        else:
            windows.append([unit, unit + 1, slot])
    calls: dict[int, int] = {}
    for start, stop, slot in windows:
        calls[slot] = calls.get(slot, 0) + units.calls[stop] - units.calls[start]
    dominant = max(calls, key=calls.__getitem__)
    moved = [window for window in windows if window[2] != dominant]
    if not moved:
        return [_Run(line, dominant, whole.calls, whole.tail)]
    parts = units.tails[[w[1] for w in moved]] - units.tails[[w[0] for w in moved]]
    runs = []
    for slot in dict.fromkeys(w[2] for w in moved):
        of_slot = [i for i, window in enumerate(moved) if window[2] == slot]
        tail = parts[of_slot[0]] if len(of_slot) == 1 else parts[of_slot].sum(axis=0)
        runs.append(_Run(line, slot, calls[slot], tail))
    rest_calls = whole.calls - sum(run.calls for run in runs)
    rest = whole.tail - parts.sum(axis=0)
    if rest_calls < rest[0] or rest[-1] < 0 or (rest[1:] > rest[:-1]).any():
        raise _disagree()
    return [_Run(line, dominant, rest_calls, rest), *runs]


def _split(
    prepared: PreparedProfile,
    usage: Usage,
    line: int,
    rates: list[tuple[int, UsageRate]],
    month: str | None,
    whole: _Traffic,
) -> list[_Run] | None:
    """A line priced by prefix or band, in one run per slot (None: no bucket rows).

    The line's bucket rows are split in units that each take one slot (``_units``); the
    slot with the most rows, D, takes the line's calls less the others', and only the rows
    of the other units are read: ``tail(s) = Σ_{rows of s} n·[d > x]`` for each other slot
    s, ``tail(D) = tail(line) − Σ_{s ≠ D} tail(s)``. Raises when what is left for D is not
    a histogram (the buckets disagree with the line's histogram)."""
    n_slots = len(usage.rates) + 2
    line_prefixes = {rate.prefix for _, rate in rates if rate.prefix}
    if not (line_prefixes and any(rate.band for _, rate in rates)):
        units = prepared.unit_tails(line, month, by_prefix=bool(line_prefixes))
        if units is not None:
            key = prepared.lines[line]
            if line_prefixes:
                chains: dict[frozenset[str], int] = {}
                prefixes = prepared.index.prefixes
                slots = []
                for label in units.labels:
                    chain = _prefix_chain(prefixes[label], line_prefixes)
                    if chain not in chains:
                        chains[chain] = _choose_among(usage, rates, key, chain, None) % n_slots
                    slots.append(chains[chain])
            else:
                bands: list[str | None] = [*usage.time_bands, None]
                band_slot = [_choose_among(usage, rates, key, frozenset(), b) for b in bands]
                slots = [band_slot[band] % n_slots for band in _band_of_hour(usage).tolist()]
            return _split_by_units(units, slots, line, whole)
    month_code = None if month is None else prepared.months.index(month)
    unit_row, unit_rows, unit_slot = _units(prepared, usage, line, rates, month_code)
    unit_slot %= n_slots
    slot_rows = np.bincount(unit_slot, unit_rows, minlength=n_slots)
    if not slot_rows.any():
        return None
    dominant = int(slot_rows.argmax())
    others = [slot for slot in slot_rows.nonzero()[0].tolist() if slot != dominant]
    if not others:
        return [_Run(line, dominant, whole.calls, whole.tail)]
    moved = (unit_slot != dominant).nonzero()[0]
    rows = _ranges(unit_row[moved], unit_rows[moved])
    duration = prepared.index.duration[rows]
    width = len(whole.tail)
    if int(duration.max()) >= width:
        raise _disagree()
    position = np.zeros(n_slots, dtype=np.int64)
    position[others] = np.arange(len(others))
    codes = np.repeat(position[unit_slot[moved]], unit_rows[moved]) * width + duration
    histograms = np.bincount(codes, prepared.index.count[rows], minlength=len(others) * width)
    histograms = histograms.reshape(len(others), width)  # exact below 2^53 calls (float64)
    calls = histograms.sum(axis=1)
    tails = (calls[:, None] - histograms.cumsum(axis=1)).astype(np.int64)
    rest_calls = whole.calls - int(calls.sum())
    rest = whole.tail - tails.sum(axis=0)
    if rest_calls < rest[0] or rest[-1] < 0 or (rest[1:] > rest[:-1]).any():
        raise _disagree()
    return [_Run(line, dominant, rest_calls, rest)] + [
        _Run(line, slot, int(calls[i]), tails[i]) for i, slot in enumerate(others)
    ]


# ------------------------------------------------------------------------------- charging

Status = Literal["rated", "free", "no_rate"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class UsageLine(_Model):
    """The usage of one (direction, category, country) under a tariff.

    ``rate_per_minute``/``increment`` are the rate's when one rate priced the whole line;
    ``unrated_calls`` matched no rate and no free rule (not charged: the tariff has a gap).
    """

    direction: Direction
    category: Category
    country: str | None
    status: Status
    calls: Money
    unrated_calls: Money
    billed_seconds: Money
    billed_minutes: Money
    rate_per_minute: Money | None
    increment: str | None
    amount_before_pool: Money
    pool_minutes: Money
    amount: Money


class PoolUse(_Model):
    """An included-minutes pool in one month: minutes included, drawn, and the overage."""

    name: str
    minutes_included: Money
    minutes_drawn: Money
    overage_minutes: Money


class UsageRating(_Model):
    """A profile's usage priced under a tariff for one month (``month`` None: the average
    month, ``"YYYY-MM"``: a calendar month, ``"period"``: the whole period)."""

    tariff: str
    currency: str
    month: str | None
    scale: Money
    lines: list[UsageLine]
    pools: list[PoolUse] = Field(default_factory=list)
    total: Money


_FIVES = {5**k: k for k in range(64)}


def _denominator_places(denominator: int) -> int:
    """The decimal places of a reduced fraction whose denominator is 2^x · 5^y: max(x, y).

    >>> [_denominator_places(Decimal(t).as_integer_ratio()[1]) for t in ("0.25", "12", "0.0125")]
    [2, 0, 4]
    """
    twos = (denominator & -denominator).bit_length() - 1
    return max(twos, _FIVES[denominator >> twos])


def _round_fraction(value: Fraction, decimals: int, mode: str) -> Fraction:
    """``value`` rounded to ``decimals`` places (``half_up``, ``half_even``, ``up``, ``down``).

    >>> half_cent = Fraction(5, 1000)
    >>> _round_fraction(half_cent, 2, "half_up"), _round_fraction(half_cent, 2, "half_even")
    (Fraction(1, 100), Fraction(0, 1))
    """
    unit = Fraction(1, 10**decimals)
    quotient, remainder = divmod(value, unit)
    up = {
        "down": False,
        "up": remainder > 0,
        "half_up": 2 * remainder >= unit,
        "half_even": 2 * remainder > unit or (2 * remainder == unit and quotient % 2 == 1),
    }[mode]
    return (quotient + up) * unit


def _round_ticks(ticks: Int64s, unit: int, mode: str) -> Int64s:
    """Whole ticks rounded to a multiple of ``unit``, elementwise (the same rules)."""
    quotient, remainder = np.divmod(ticks, unit)
    if mode == "down":
        up = np.zeros_like(quotient)
    elif mode == "up":
        up = (remainder > 0).astype(np.int64)
    elif mode == "half_up":
        up = (2 * remainder >= unit).astype(np.int64)
    else:
        up = ((2 * remainder > unit) | ((2 * remainder == unit) & (quotient % 2 == 1))).astype(
            np.int64
        )
    result: Int64s = (quotient + up) * unit
    return result


@dataclass
class _LineSum:
    """Exact sums of one line over its runs (unscaled); ``slot_calls``: calls by slot."""

    calls: int = 0
    billed_seconds: int = 0
    rated_seconds: int = 0
    amount_ticks: int = 0
    slot_calls: dict[int, int] = field(default_factory=dict)

    @property
    def slots(self) -> set[int]:
        """The rates (indexes) that priced some call of the line."""
        return {slot for slot, calls in self.slot_calls.items() if slot >= 0 and calls}

    @property
    def free_calls(self) -> int:
        return self.slot_calls.get(FREE, 0)

    @property
    def unrated_calls(self) -> int:
        return self.slot_calls.get(NO_RATE, 0)


@dataclass(frozen=True)
class _RateTable:
    """A tariff's rates in ticks of 1/(60·10^E) of the currency: for each rate, ``(a, b,
    base, per_step, minimum)``."""

    ticks_per_unit: int
    rates: list[tuple[int, int, int, int, int]]


def _rate_table(usage: Usage) -> _RateTable:
    """``base = (connect_fee + first_price)``, ``per_step = b/60 · rate_per_minute`` and
    ``minimum = min_charge``, in whole ticks of 1/(60·10^E): exact, as 10^E is a multiple
    of every price's denominator (E: the most decimal places of any usage price or of
    the rounding)."""
    rows = []
    places = [usage.rounding.decimals if usage.rounding else 0]
    for rate in usage.rates:
        prices = [
            price.as_integer_ratio()
            for price in (rate.connect_fee, rate.rate_per_minute, rate.min_charge)
        ]
        first = None if rate.first_price is None else rate.first_price.as_integer_ratio()
        places += [_denominator_places(d) for _, d in prices if d > 1]
        if first is not None and first[1] > 1:
            places.append(_denominator_places(first[1]))
        rows.append((parse_increment(rate.increment), prices, first))
    unit = 10 ** max(places)
    ticks = 60 * unit
    table = []
    for (a, b), ((connect_n, connect_d), (rate_n, rate_d), (min_n, min_d)), first in rows:
        first_ticks = first[0] * ticks // first[1] if first else rate_n * a * unit // rate_d
        table.append(
            (
                a,
                b,
                connect_n * ticks // connect_d + first_ticks,
                rate_n * b * unit // rate_d,
                min_n * ticks // min_d,
            )
        )
    return _RateTable(ticks, table)


def _charge(usage: Usage, table: _RateTable, runs: list[_Run]) -> tuple[dict[int, _LineSum], int]:
    """Each line's calls, billed seconds and amount in ticks; returns the sums and ticks per
    currency unit.

    A call of d > 0 seconds takes ``steps = ceil(max(0, d − a)/b) = Σ_{j ≥ 0} [d > a + j·b]``,
    is billed ``a + steps·b`` seconds and charged ``max(base + steps·per_step, minimum)``
    (rounded if per call); a call of 0 s is neither billed nor charged. Over a run, with
    ``tail[x]`` its calls longer than x seconds: ``Σ steps = Σ_j tail[a + j·b]`` and
    ``billed = a·tail[0] + b·Σ steps``; the amount is ``base·tail[0] + per_step·Σ steps``
    when the minimum never applies (``minimum ≤ base``) and calls are not rounded, else
    ``Σ_k calls(k steps) · charge(k)`` (``_ticks_by_steps``). Unrated calls (NO_RATE,
    FREE) are billed their d seconds (``Σ_x tail[x]``) and charged nothing."""
    n_rates = len(usage.rates)
    rounding = usage.rounding
    per_call = rounding if rounding is not None and rounding.per == "call" else None
    sums: dict[int, _LineSum] = {}
    for run in runs:
        total = sums.get(run.line)
        if total is None:
            total = sums[run.line] = _LineSum()
        total.calls += run.calls
        if run.slot >= n_rates:
            total.billed_seconds += int(run.tail.sum())
            key = run.slot - n_rates - 2
        else:
            a, b, base, per_step, minimum = table.rates[run.slot]
            points = run.tail[a::b]
            positive, steps = int(run.tail[0]), int(points.sum())
            seconds = a * positive + b * steps
            if per_call is None and minimum <= base:
                total.amount_ticks += base * positive + per_step * steps
            else:
                total.amount_ticks += _ticks_by_steps(
                    positive, points, (base, per_step, minimum), table.ticks_per_unit, per_call
                )
            total.billed_seconds += seconds
            total.rated_seconds += seconds
            key = run.slot
        total.slot_calls[key] = total.slot_calls.get(key, 0) + run.calls
    return sums, table.ticks_per_unit


def _ticks_by_steps(
    positive: int,
    points: Int64s,
    prices: tuple[int, int, int],
    ticks_per_unit: int,
    rounding: Rounding | None,
) -> int:
    """``Σ_k calls(k) · charge(k)`` over the numbers of steps k: ``calls(k) = q[k] − q[k+1]``
    with ``q = [positive, tail[a], tail[a + b], …, 0]`` (calls of at least k steps),
    ``charge(k) = max(base + k·per_step, minimum)``, rounded per call if asked."""
    base, per_step, minimum = prices
    at_least = np.concatenate(([positive], points, [0]))
    calls = at_least[:-1] - at_least[1:]
    charge = np.arange(len(calls), dtype=np.int64) * per_step + base
    np.maximum(charge, minimum, out=charge)
    if rounding is not None:
        charge = _round_ticks(charge, ticks_per_unit // 10**rounding.decimals, rounding.mode)
    if int(charge[-1]) * positive >= 2**62:  # exact Python integers instead of int64
        return int((calls.astype(object) * charge.astype(object)).sum())
    return int((calls * charge).sum())


def _assemble(
    prepared: PreparedProfile,
    tariff: Tariff,
    month: str | None,
    label: str | None,
    scale: Fraction,
    seats: int,
) -> UsageRating:
    """Scale each line's exact sums, draw the pools, round totals if the tariff says so.

    A line's amount is ``amount_ticks × s / (ticks per unit × d)`` for the scale ``s / d``:
    whole numerators over one denominator, turned into a Decimal once per figure; only the
    lines that draw on a pool, or whose total is rounded, go through fractions."""
    usage = tariff.usage
    sums, ticks_per_unit = _charge(usage, prepared.rate_table(usage), prepared.runs(usage, month))
    numerator, denominator = scale.numerator, scale.denominator
    amount_denominator = ticks_per_unit * denominator
    before = {line: total.amount_ticks * numerator for line, total in sums.items()}
    after: dict[int, Fraction] = {}  # the lines whose amount is not ``before``'s
    drawn: dict[int, Fraction] = {}
    pools: list[PoolUse] = []
    taken: set[int] = set()
    for pool in tariff.included_minutes:
        members = [
            line
            for line, total in sums.items()
            if line not in taken
            and total.slots
            and _traffic_matches(pool.draws, *prepared.lines[line][:2])
        ]
        taken.update(members)
        included = Fraction(pool.minutes) * (seats if pool.per == "seat" else 1)
        rated_minutes = {
            line: Fraction(sums[line].rated_seconds * numerator, 60 * denominator)
            for line in members
        }
        wanted = sum(rated_minutes.values(), Fraction(0))
        covered = min(included, wanted)
        for line in members if wanted else []:
            drawn[line] = rated_minutes[line] * covered / wanted
            after[line] = Fraction(before[line], amount_denominator) * (wanted - covered) / wanted
        pools.append(
            PoolUse(
                name=pool.name,
                minutes_included=_decimal(included),
                minutes_drawn=_decimal(covered),
                overage_minutes=_decimal(wanted - covered),
            )
        )
    rounding = usage.rounding
    if rounding is not None and rounding.per == "total":
        after = {
            line: _round_fraction(
                after.get(line, Fraction(before[line], amount_denominator)),
                rounding.decimals,
                rounding.mode,
            )
            for line in sums
        }

    divide, per_amount = _DIVISION.divide, Decimal(amount_denominator)
    per_count, per_minute = Decimal(denominator), Decimal(60 * denominator)

    def amount_before(line: int) -> Decimal:
        return divide(Decimal(before[line]), per_amount) if before[line] else _ZERO

    def amount(line: int) -> Decimal:
        exact = after.get(line)
        return amount_before(line) if exact is None else _decimal(exact)

    def scaled(value: int, unit: Decimal = per_count) -> Decimal:
        """``value × scale`` (over ``unit`` = ``d`` or ``60·d``: in minutes)."""
        return divide(Decimal(value * numerator), unit) if value else _ZERO

    lines = []
    for line in sorted(sums, key=lambda i: _line_order(prepared.lines[i])):
        total = sums[line]
        direction, category, country = prepared.lines[line]
        slots = total.slots
        single = usage.rates[next(iter(slots))] if len(slots) == 1 else None
        status: Status = "rated" if slots else "free" if total.free_calls else "no_rate"
        pooled = drawn.get(line)
        lines.append(
            UsageLine(
                direction=direction,
                category=category,
                country=country,
                status=status,
                calls=scaled(total.calls),
                unrated_calls=scaled(total.unrated_calls),
                billed_seconds=scaled(total.billed_seconds),
                billed_minutes=scaled(total.billed_seconds, per_minute),
                rate_per_minute=single.rate_per_minute if single else None,
                increment=single.increment if single else None,
                amount_before_pool=amount_before(line),
                pool_minutes=_ZERO if pooled is None else _decimal(pooled),
                amount=amount(line),
            )
        )
    unchanged = sum(value for line, value in before.items() if line not in after)
    return UsageRating(
        tariff=tariff.name,
        currency=tariff.currency,
        month=label,
        scale=_decimal(scale),
        lines=lines,
        pools=pools,
        total=_decimal(Fraction(unchanged, amount_denominator) + sum(after.values(), Fraction(0)))
        if after
        else _quotient(unchanged, amount_denominator),
    )


_DIRECTION_ORDER = {d: i for i, d in enumerate(Direction)}
_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}


def _line_order(line: LineKey) -> tuple[int, int, str]:
    return _DIRECTION_ORDER[line[0]], _CATEGORY_ORDER[line[1]], line[2] or ""


def _default_seats(profile: UsageProfile) -> int:
    return profile.distinct_extensions or 1


def rate_usage(
    profile: UsageProfile | PreparedProfile,
    tariff: Tariff,
    *,
    month: str | None = None,
    seats: int | None = None,
) -> UsageRating:
    """The usage of the average month (counts × 30.4375 / ``period.days``), or of one
    calendar month ``"YYYY-MM"`` (unscaled), priced under ``tariff``; pools per seat count
    ``seats`` (default: the profile's distinct extensions, else 1)."""
    prepared = prepare_profile(profile)
    days = Fraction(Decimal(str(prepared.profile.period.days)))
    if month is None and days <= 0:
        raise ValueError("the profile covers no days: it cannot be scaled to a month")
    scale = AVERAGE_MONTH_DAYS / days if month is None else Fraction(1)
    pool_seats = seats if seats is not None else _default_seats(prepared.profile)
    return _assemble(prepared, tariff, month, month, scale, pool_seats)


def rate_months(
    profile: UsageProfile | PreparedProfile, tariff: Tariff, *, seats: int | None = None
) -> list[UsageRating]:
    """Every calendar month of the profile, priced (pools month by month)."""
    prepared = prepare_profile(profile)
    return [rate_usage(prepared, tariff, month=m, seats=seats) for m in prepared.months]


def rate_period(
    profile: UsageProfile | PreparedProfile, tariff: Tariff, *, seats: int | None = None
) -> UsageRating:
    """The whole period's usage: the sum of its calendar months (without months in the
    profile, the period rated as one, unscaled)."""
    prepared = prepare_profile(profile)
    pool_seats = seats if seats is not None else _default_seats(prepared.profile)
    if not prepared.months:
        return _assemble(prepared, tariff, None, "period", Fraction(1), pool_seats)
    months = rate_months(prepared, tariff, seats=pool_seats)
    return _sum_ratings(months, tariff)


def _sum_ratings(ratings: Sequence[UsageRating], tariff: Tariff) -> UsageRating:
    merged: dict[LineKey, list[UsageLine]] = {}
    for rating in ratings:
        for line in rating.lines:
            merged.setdefault((line.direction, line.category, line.country), []).append(line)
    lines = []
    for key in sorted(merged, key=_line_order):
        parts = merged[key]
        statuses = {p.status for p in parts}
        rates = {(p.rate_per_minute, p.increment) for p in parts}
        single = next(iter(rates)) if len(rates) == 1 else (None, None)
        lines.append(
            UsageLine(
                direction=key[0],
                category=key[1],
                country=key[2],
                status="rated"
                if "rated" in statuses
                else "free"
                if "free" in statuses
                else "no_rate",
                calls=sum((p.calls for p in parts), Decimal(0)),
                unrated_calls=sum((p.unrated_calls for p in parts), Decimal(0)),
                billed_seconds=sum((p.billed_seconds for p in parts), Decimal(0)),
                billed_minutes=sum((p.billed_minutes for p in parts), Decimal(0)),
                rate_per_minute=single[0],
                increment=single[1],
                amount_before_pool=sum((p.amount_before_pool for p in parts), Decimal(0)),
                pool_minutes=sum((p.pool_minutes for p in parts), Decimal(0)),
                amount=sum((p.amount for p in parts), Decimal(0)),
            )
        )
    pools = [
        PoolUse(
            name=name,
            minutes_included=sum((p.minutes_included for p in group), Decimal(0)),
            minutes_drawn=sum((p.minutes_drawn for p in group), Decimal(0)),
            overage_minutes=sum((p.overage_minutes for p in group), Decimal(0)),
        )
        for name in dict.fromkeys(p.name for r in ratings for p in r.pools)
        for group in [[p for r in ratings for p in r.pools if p.name == name]]
    ]
    return UsageRating(
        tariff=tariff.name,
        currency=tariff.currency,
        month="period",
        scale=Decimal(1),
        lines=lines,
        pools=pools,
        total=sum((r.total for r in ratings), Decimal(0)),
    )


# ------------------------------------------------------------------- line items of an offer


class Recurrence(StrEnum):
    MONTHLY = "monthly"
    ONE_TIME = "one_time"


class LineItem(_Model):
    """One priced item of an offer: ``amount = quantity × unit_price`` (one month's worth
    when ``recurrence`` is monthly), with where the quantity came from."""

    component: Component
    kind: str
    name: str
    recurrence: Recurrence
    quantity: Money
    unit_price: Money
    amount: Money
    quantity_source: str = ""
    lifetime_months: int | None = None
    residual_value: Money = Decimal(0)
    starts_after_months: int = 0


@dataclass(frozen=True)
class Quantities:
    """The quantities charges are priced by, and where each came from.

    ``channels`` is the profile's recommended channel count before any tariff's block size;
    ``ported_numbers`` defaults to ``dids``.
    """

    seats: int
    sites: int = 1
    channels: int = 0
    dids: int = 0
    extensions: int = 0
    ported_numbers: int | None = None
    sources: dict[Basis, str] = field(default_factory=dict)

    @classmethod
    def from_profile(
        cls,
        profile: UsageProfile,
        *,
        seats: int | None = None,
        sites: int | None = None,
        channels: int | None = None,
        ported_numbers: int | None = None,
    ) -> Quantities:
        """Channels, DIDs and extensions from the profile; seats and sites from the scenario
        (seats default to the profile's distinct extensions)."""
        recommended = profile.recommended_channels
        extensions = profile.distinct_extensions or 0
        return cls(
            seats=seats if seats is not None else extensions,
            sites=sites if sites is not None else 1,
            channels=channels if channels is not None else recommended.channels,
            dids=profile.distinct_dids or 0,
            extensions=extensions,
            ported_numbers=ported_numbers,
            sources={
                Basis.SEAT: "scenario: seats" if seats is not None else "profile: extensions",
                Basis.SITE: "scenario: sites" if sites is not None else "default: one site",
                Basis.CHANNEL: (
                    "scenario: channels"
                    if channels is not None
                    else f"profile: recommended channels (Erlang B at {recommended.gos:g}, "
                    "at least the peak)"
                ),
                Basis.DID: "profile: DIDs",
                Basis.EXTENSION: "profile: extensions",
                Basis.PORTED_NUMBER: (
                    "scenario: ported numbers" if ported_numbers is not None else "profile: DIDs"
                ),
            },
        )

    def of(self, basis: Basis) -> tuple[int, str]:
        """The quantity of a basis and where it came from."""
        value = {
            Basis.CHANNEL: self.channels,
            Basis.DID: self.dids,
            Basis.SEAT: self.seats,
            Basis.SITE: self.sites,
            Basis.ACCOUNT: 1,
            Basis.EXTENSION: self.extensions,
            Basis.PORTED_NUMBER: self.dids if self.ported_numbers is None else self.ported_numbers,
        }[basis]
        source = "account" if basis is Basis.ACCOUNT else self.sources.get(basis, str(basis))
        return value, f"{source} {value}"


def _quantity(rule: Charge | EquipmentItem, quantities: Quantities) -> tuple[Decimal, str]:
    """``ceil(base × multiplier)``, rounded up to whole blocks; the count of blocks when
    priced per block."""
    base, source = quantities.of(rule.per)
    count = math.ceil(Decimal(base) * rule.multiplier)
    if rule.multiplier != 1:
        source += f" × {rule.multiplier} → {count}"
    if rule.block_size is not None and count % rule.block_size:
        count = math.ceil(count / rule.block_size) * rule.block_size
        source += f" → {count} (blocks of {rule.block_size})"
    if rule.priced_per_block and rule.block_size is not None:
        count //= rule.block_size
        source += f" = {count} block(s)"
    return Decimal(count), source


_RECURRING_COMPONENT = {
    Basis.CHANNEL: Component.CHANNELS,
    Basis.DID: Component.DIDS,
    Basis.SEAT: Component.SEATS,
    Basis.EXTENSION: Component.SEATS,
}


def _charge_item(charge: Charge, quantities: Quantities, kind: str, default: Component) -> LineItem:
    quantity, source = _quantity(charge, quantities)
    return LineItem(
        component=charge.component or default,
        kind=kind,
        name=charge.name,
        recurrence=Recurrence.ONE_TIME if kind == "one_time" else Recurrence.MONTHLY,
        quantity=quantity,
        unit_price=charge.price,
        amount=quantity * charge.price,
        quantity_source=source,
    )


def _usage_items(usage: UsageRating) -> list[LineItem]:
    items = []
    for line in usage.lines:
        if line.status != "rated":
            continue
        name = f"{line.direction} {line.category}" + (f" {line.country}" if line.country else "")
        per_minute = line.amount / line.billed_minutes if line.billed_minutes else Decimal(0)
        items.append(
            LineItem(
                component=Component.USAGE,
                kind="usage",
                name=name,
                recurrence=Recurrence.MONTHLY,
                quantity=line.billed_minutes,
                unit_price=per_minute,
                amount=line.amount,
                quantity_source=f"profile: billed minutes ({line.pool_minutes:.2f} from pools)",
            )
        )
    return items


def price_tariff(
    tariff: Tariff,
    quantities: Quantities,
    usage: UsageRating | None,
    *,
    rent_equipment: bool = False,
) -> list[LineItem]:
    """An offer's line items for one month of ``usage`` and its one-time costs: usage per
    line, recurring charges, the commitment shortfall ``max(0, commitment − usage −
    recurring)``, taxes, one-time charges, equipment (bought, or rented when asked and
    offered), maintenance (``% / 12`` of bought equipment a month after the warranty),
    labour, power (``W × 24 × 30.4375 / 1000`` kWh) and bandwidth (``channels × kbit/s``)."""
    items = _usage_items(usage) if usage is not None else []
    usage_total = sum((item.amount for item in items), Decimal(0))
    recurring = [
        _charge_item(c, quantities, "recurring", _RECURRING_COMPONENT.get(c.per, Component.OTHER))
        for c in tariff.recurring
    ]
    items += recurring
    recurring_total = sum((item.amount for item in recurring), Decimal(0))
    shortfall = tariff.contract.minimum_monthly_commitment - usage_total - recurring_total
    if shortfall > 0:
        items.append(
            LineItem(
                component=Component.OTHER,
                kind="commitment",
                name="minimum monthly commitment (shortfall)",
                recurrence=Recurrence.MONTHLY,
                quantity=Decimal(1),
                unit_price=shortfall,
                amount=shortfall,
                quantity_source="tariff: contract.minimum_monthly_commitment",
            )
        )
        recurring_total += shortfall
    items += [_tax_item(tax, quantities, usage_total, recurring_total) for tax in tariff.taxes]
    items += [
        _charge_item(c, quantities, "one_time", Component.INSTALLATION) for c in tariff.one_time
    ]
    maintained = Decimal(0)
    for item in tariff.equipment:
        quantity, source = _quantity(item, quantities)
        if rent_equipment and item.rental is not None:
            items.append(
                LineItem(
                    component=item.component,
                    kind="equipment",
                    name=f"{item.name} (rental)",
                    recurrence=Recurrence.MONTHLY,
                    quantity=quantity,
                    unit_price=item.rental.monthly_price,
                    amount=quantity * item.rental.monthly_price,
                    quantity_source=source,
                    lifetime_months=item.rental.term_months,
                )
            )
            continue
        amount = quantity * item.unit_price
        if item.maintained:
            maintained += amount
        items.append(
            LineItem(
                component=item.component,
                kind="equipment",
                name=item.name,
                recurrence=Recurrence.ONE_TIME,
                quantity=quantity,
                unit_price=item.unit_price,
                amount=amount,
                quantity_source=source,
                lifetime_months=item.lifetime_months,
                residual_value=quantity * item.residual_value,
            )
        )
    items += _operating_items(tariff, quantities, maintained)
    return items


def _tax_item(
    tax: Tax, quantities: Quantities, usage_total: Decimal, recurring_total: Decimal
) -> LineItem:
    if tax.percent is not None:
        base = {
            TaxBasis.USAGE: usage_total,
            TaxBasis.RECURRING: recurring_total,
            TaxBasis.USAGE_AND_RECURRING: usage_total + recurring_total,
        }[tax.basis]
        rate = tax.percent / 100
        return LineItem(
            component=Component.OTHER,
            kind="tax",
            name=tax.name,
            recurrence=Recurrence.MONTHLY,
            quantity=base,
            unit_price=rate,
            amount=base * rate,
            quantity_source=f"{tax.percent} % of {tax.basis}",
        )
    basis = {
        TaxBasis.PER_CHANNEL: Basis.CHANNEL,
        TaxBasis.PER_SEAT: Basis.SEAT,
        TaxBasis.PER_DID: Basis.DID,
        TaxBasis.PER_ACCOUNT: Basis.ACCOUNT,
    }[tax.basis]
    count, source = quantities.of(basis)
    amount = tax.amount if tax.amount is not None else Decimal(0)
    return LineItem(
        component=Component.OTHER,
        kind="tax",
        name=tax.name,
        recurrence=Recurrence.MONTHLY,
        quantity=Decimal(count),
        unit_price=amount,
        amount=count * amount,
        quantity_source=source,
    )


def _operating_items(tariff: Tariff, quantities: Quantities, maintained: Decimal) -> list[LineItem]:
    items = []
    if tariff.maintenance is not None and maintained > 0:
        monthly = tariff.maintenance.percent_per_year / 100 / 12
        items.append(
            LineItem(
                component=Component.MAINTENANCE,
                kind="maintenance",
                name=f"maintenance {tariff.maintenance.percent_per_year} %/year",
                recurrence=Recurrence.MONTHLY,
                quantity=maintained,
                unit_price=monthly,
                amount=maintained * monthly,
                quantity_source="price of the bought equipment",
                starts_after_months=tariff.maintenance.warranty_months,
            )
        )
    if tariff.labour is not None:
        items.append(
            LineItem(
                component=Component.LABOUR,
                kind="labour",
                name="IT labour",
                recurrence=Recurrence.MONTHLY,
                quantity=tariff.labour.hours_per_month,
                unit_price=tariff.labour.hourly_rate,
                amount=tariff.labour.hours_per_month * tariff.labour.hourly_rate,
                quantity_source="tariff: hours per month",
            )
        )
    if tariff.power is not None:
        kwh = tariff.power.watts * 24 * Decimal("30.4375") / 1000
        items.append(
            LineItem(
                component=Component.OTHER,
                kind="power",
                name="power",
                recurrence=Recurrence.MONTHLY,
                quantity=kwh,
                unit_price=tariff.power.price_per_kwh,
                amount=kwh * tariff.power.price_per_kwh,
                quantity_source=f"{tariff.power.watts} W around the clock, kWh a month",
            )
        )
    if tariff.bandwidth is not None:
        mbps = quantities.channels * tariff.bandwidth.kbps_per_call / 1000
        items.append(
            LineItem(
                component=Component.OTHER,
                kind="bandwidth",
                name="bandwidth for calls",
                recurrence=Recurrence.MONTHLY,
                quantity=mbps,
                unit_price=tariff.bandwidth.price_per_mbps_month,
                amount=mbps * tariff.bandwidth.price_per_mbps_month,
                quantity_source=(
                    f"{quantities.of(Basis.CHANNEL)[1]} × {tariff.bandwidth.kbps_per_call} kbit/s"
                ),
            )
        )
    return items


# ------------------------------------------------------------------ ad-hoc rate cards (API)


def _check_increment(value: str) -> str:
    parse_increment(value)
    return value


class RateCardEntry(BaseModel):
    """A rate of CONTRACT.md's ad-hoc card (``POST /api/v1/ratings``)."""

    model_config = ConfigDict(extra="forbid")

    direction: Direction
    category: Category
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    increment: str = "60/60"
    rate_per_minute: Price
    first_price: Price | None = None
    connect_fee: Price = Decimal(0)
    min_charge: Price = Decimal(0)

    _places = field_validator("rate_per_minute", "first_price", "connect_fee", "min_charge")(
        check_rate_places
    )
    _increment = field_validator("increment")(_check_increment)


def rate_card_tariff(rates: Sequence[RateCardEntry], currency: str | None = None) -> Tariff:
    """An ad-hoc rate card as a tariff: a rate with a country before one without; calls no
    rate matches are free (and their lines say so)."""
    return Tariff(
        name="ad-hoc rate card",
        kind=TariffKind.PSTN,
        currency=currency or "XXX",
        usage=Usage(rates=[UsageRate(**entry.model_dump()) for entry in rates]),
    )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def rating_json(rating: UsageRating, currency: str | None = None) -> dict[str, Any]:
    """A rating in the shape of ``POST /api/v1/ratings``' answer (amounts to 9 decimals)."""
    places = Decimal("1e-9")
    usage = []
    for line in rating.lines:
        note = None
        if line.status == "free":
            note = "free under this tariff"
        elif line.unrated_calls:
            note = f"{_number(line.unrated_calls)} call(s) matched no rate: not charged"
        usage.append(
            {
                "direction": str(line.direction),
                "category": str(line.category),
                "country": line.country,
                "calls": _number(line.calls),
                "billed_seconds": _number(line.billed_seconds),
                "amount": float(line.amount.quantize(places)),
                "rated": line.status == "rated",
                "note": note,
            }
        )
    return {
        "currency": currency if currency is not None else rating.currency,
        "usage": usage,
        "usage_total": float(rating.total.quantize(places)),
    }


def rate_card_rating(
    profile: UsageProfile | PreparedProfile,
    rates: Sequence[RateCardEntry],
    currency: str | None = None,
) -> dict[str, Any]:
    """The whole period priced under an ad-hoc rate card: CONTRACT.md's ratings JSON."""
    prepared = prepare_profile(profile)
    named = currency or prepared.profile.currency
    rating = rate_period(prepared, rate_card_tariff(rates, named))
    return rating_json(rating, currency=named)


# ----------------------------------------------------------------------------- reconciliation


class ReconciliationLine(_Model):
    """One (direction, category): what the bill charged against what the tariff gives."""

    direction: Direction
    category: Category
    billed_cost: Money
    rated: Money
    difference: Money
    difference_ratio: Money | None
    within_tolerance: bool


class Reconciliation(_Model):
    currency: str
    tolerance: Money
    lines: list[ReconciliationLine]
    billed_total: Money
    rated_total: Money
    findings: list[str]


def reconcile(
    profile: UsageProfile | PreparedProfile,
    tariff: Tariff,
    *,
    tolerance: Decimal = Decimal("0.05"),
    seats: int | None = None,
) -> Reconciliation:
    """The bill's ``billed_cost`` per (direction, category) against the whole period rated
    under ``tariff``: ``difference = rated − billed``, within tolerance when
    ``|difference| ≤ tolerance × billed``; every other line is a finding."""
    prepared = prepare_profile(profile)
    source = prepared.profile
    if source.currency and source.currency != tariff.currency:
        raise ValueError(
            f"the bill is in {source.currency}, the tariff in {tariff.currency}: "
            "give an exchange rate to compare them"
        )
    billed: dict[tuple[Direction, Category], Decimal] = {}
    for usage in source.categories:
        if usage.billed_cost is not None:
            key = (usage.direction, usage.category)
            billed[key] = billed.get(key, Decimal(0)) + usage.billed_cost
    rated: dict[tuple[Direction, Category], Decimal] = {}
    for line in rate_period(prepared, tariff, seats=seats).lines:
        key = (line.direction, line.category)
        rated[key] = rated.get(key, Decimal(0)) + line.amount
    lines, findings = [], []
    for key in sorted(billed, key=lambda k: (_DIRECTION_ORDER[k[0]], _CATEGORY_ORDER[k[1]])):
        bill, ours = billed[key], rated.get(key, Decimal(0))
        difference = ours - bill
        within = abs(difference) <= tolerance * bill
        ratio = difference / bill if bill else None
        lines.append(
            ReconciliationLine(
                direction=key[0],
                category=key[1],
                billed_cost=bill,
                rated=ours,
                difference=difference,
                difference_ratio=ratio,
                within_tolerance=within,
            )
        )
        if not within:
            gap = f" ({ratio:+.1%})" if ratio is not None else ""
            reason = (
                "the carrier may be overcharging, or the tariff is wrong"
                if difference < 0
                else "the tariff prices it higher than the bill: check the tariff"
            )
            findings.append(
                f"{key[0]} {key[1]}: the bill charged {bill:.2f} {tariff.currency}, "
                f"the tariff gives {ours:.2f}{gap}: {reason}"
            )
    return Reconciliation(
        currency=tariff.currency,
        tolerance=tolerance,
        lines=lines,
        billed_total=sum((line.billed_cost for line in lines), Decimal(0)),
        rated_total=sum((line.rated for line in lines), Decimal(0)),
        findings=findings,
    )
