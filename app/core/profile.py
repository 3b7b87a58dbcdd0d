"""Call table → usage profile: exact histograms, busy hour, peak concurrency, signals.

``analyze_files`` is the one call the CLI and the web make: bytes in, ``UsageProfile`` out.
``build_profile`` does the work on a ``CallTable``; ``profile_from_figures`` builds the same
shape from figures a rep types in (``source="entered"``). Every aggregate is computed with
polars expressions over all calls; numbers are classified once per distinct number
(``app.core.numberplan``) and never leave this module.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import BaseModel, Field

from app.core.bills import BillFormat, CallTable, ColumnMapping, FileCalls, read_calls
from app.core.bills.table import SKIP_OVERLAP, dedupe_calls
from app.core.erlang import channels_for, erlang_b
from app.core.numberplan import (
    CATEGORY_DTYPE,
    REGION_DTYPE,
    NumberPlan,
    NumberPlanError,
    parse_extension_ranges,
    prefix_text,
)
from app.core.usage import (
    Category,
    CategoryUsage,
    DayTraffic,
    Direction,
    DurationBuckets,
    MonthTotals,
    Period,
    RecommendedChannels,
    RowCounts,
    Signal,
    Totals,
    UsageProfile,
    pack,
)

Progress = Callable[[float], None]
LineNames = Sequence[tuple[str, str, str | None]]
"""Each line code's (direction, category, country)."""
Int64s = npt.NDArray[np.int64]
DIRECTION_DTYPE = pl.Enum([d.value for d in Direction])
TRUNK = (Direction.INBOUND.value, Direction.OUTBOUND.value)
DAY_SECONDS = 86_400

# Deal-signal thresholds (figure > threshold raises the signal unless said otherwise).
AUTODIALER_SHARE = 0.5  # outbound calls unanswered or shorter than AUTODIALER_SECONDS
AUTODIALER_SECONDS = 10
AUTODIALER_MIN_CALLS = 100
IDLE_DID_MINUTES = 60.0  # inbound minutes per DID per average month (figure < threshold)
IDLE_DID_MIN_DIDS = 5
INTERNATIONAL_SHARE = 0.2  # international + premium share of outbound billable seconds
CONCENTRATION_SHARE = 0.5  # share of outbound billable seconds to the 5 top destinations
CONCENTRATION_TOP = 5
CONCENTRATION_MIN_CALLS = 50
MONTH_DAYS = 30.4375


class AnalysisOptions(BaseModel):
    """What ``telroi analyze`` and ``POST /api/v1/analyses`` take besides the files."""

    country: str = Field(description="ISO 3166 alpha-2 code of the client's country")
    area_codes: list[str] = Field(default_factory=list, description="local area codes")
    outside_prefix: str = Field("", description="PBX outside-line prefix to strip, e.g. 9")
    extensions: str | None = Field(None, description="extension ranges, e.g. 8000-8099,200")
    timezone: str | None = Field(None, description="IANA zone; default: the area code's")
    format: BillFormat = BillFormat.AUTO
    column_mapping: ColumnMapping | None = None
    gos: float = Field(0.01, gt=0, lt=1, description="grade of service for Erlang B")
    current_lines: int | None = Field(None, ge=0, description="the client's lines today")

    def number_plan(self) -> NumberPlan:
        """The number plan these options describe (NumberPlanError when unusable)."""
        return NumberPlan(
            country=self.country,
            area_codes=tuple(code.strip() for code in self.area_codes if code.strip()),
            outside_prefix=self.outside_prefix.strip(),
            extension_ranges=parse_extension_ranges(self.extensions),
        )

    def zone(self, plan: NumberPlan) -> str:
        """The client's IANA zone: given, or libphonenumber's for the area code."""
        zone = self.timezone or plan.default_timezone()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise NumberPlanError(f"unknown time zone {zone!r}") from None
        return zone


def analyze_files(
    files: list[tuple[str, bytes]],
    options: AnalysisOptions,
    progress: Progress | None = None,
) -> UsageProfile:
    """Read ``(name, bytes)`` bills and build their one usage profile.

    Raises ``BillError`` (file, line, column) for unreadable bills and ``NumberPlanError``
    for unusable options. ``progress`` receives fractions from 0 to 1."""
    report = progress or (lambda _fraction: None)
    plan = options.number_plan()
    zone = options.zone(plan)
    report(0.0)
    table = read_calls(
        files,
        format=options.format,
        column_mapping=options.column_mapping,
        timezone=zone,
        progress=lambda fraction: report(0.5 * fraction),
    )
    report(0.5)
    profile = build_profile(
        table, plan, timezone=zone, gos=options.gos, current_lines=options.current_lines
    )
    report(1.0)
    return profile


def classify_calls(table: CallTable, plan: NumberPlan) -> tuple[pl.DataFrame, dict[str, int]]:
    """The call table with ``direction``, ``category``, ``country``, ``prefix_code``, ``cc``
    and ``nsn`` (the remote number, internal use only), ``caller_ext``/``callee_ext``, and
    with legs, cross-file duplicates and carrier rows overlapping a PBX export removed
    (their counts returned by reason)."""
    calls = table.calls
    extensions = plan.extensions_among(
        pl.concat([calls.get_column("caller"), calls.get_column("callee")])
    ).implode()
    calls = calls.with_columns(
        caller_ext=pl.col("caller").is_in(extensions),
        callee_ext=pl.col("callee").is_in(extensions),
    )
    by_rule = (
        pl.when(pl.col("caller_ext") & pl.col("callee_ext"))
        .then(pl.lit(Direction.INTERNAL.value, dtype=DIRECTION_DTYPE))
        .when(pl.col("caller_ext"))
        .then(pl.lit(Direction.OUTBOUND.value, dtype=DIRECTION_DTYPE))
        .otherwise(pl.lit(Direction.INBOUND.value, dtype=DIRECTION_DTYPE))
    )
    calls = calls.with_columns(
        direction=pl.coalesce(pl.col("direction").cast(DIRECTION_DTYPE), by_rule)
    )
    direction = pl.col("direction")
    outbound = direction == Direction.OUTBOUND.value
    inbound = direction == Direction.INBOUND.value
    remote = (
        pl.when(outbound)
        .then(plan.strip_outside_prefix(pl.col("callee")))
        .when(inbound)
        .then(pl.col("caller"))
        .otherwise(pl.lit(""))
    )
    own_numbers = calls.select(pl.col("callee").filter(inbound).unique()).to_series()
    with ThreadPoolExecutor(max_workers=1) as pool:  # the client's own numbers meanwhile
        own_job = pool.submit(plan.classify, own_numbers)
        # The streaming engine spreads this row-wise choice over every core, in order.
        numbers = calls.lazy().select(remote).collect(engine="streaming").to_series()
        remote_classes = plan.classify(numbers)
        own_classes = pl.concat(
            [own_numbers.to_frame("callee"), own_job.result()], how="horizontal"
        )
    own_paid = own_classes.filter(
        pl.col("category").is_in([Category.TOLL_FREE.value, Category.SHARED_COST.value])
    )
    calls = pl.concat([calls, remote_classes], how="horizontal")
    if own_paid.height:
        # Inbound calls to the client's own toll-free or shared-cost numbers take that class.
        own_rows = (
            calls.select("callee", "direction")
            .with_row_index("_i")
            .filter(inbound & pl.col("callee").is_in(own_paid.get_column("callee").implode()))
            .join(own_paid, on="callee", how="left")
        )
        index = own_rows.get_column("_i")
        calls = calls.with_columns(
            calls.get_column(field).scatter(index, own_rows.get_column(field))
            for field in ("category", "country", "prefix_code")
        )
    internal = direction == Direction.INTERNAL.value
    calls = calls.with_columns(
        category=pl.when(internal)
        .then(pl.lit(Category.INTERNAL.value, dtype=CATEGORY_DTYPE))
        .otherwise("category"),
    )
    calls, removed = dedupe_calls(calls)
    calls, overlap = _drop_carrier_overlap(calls, table)
    if overlap:
        removed[SKIP_OVERLAP] = overlap
    return calls, removed


def _pbx_and_carrier_span(table: CallTable) -> tuple[dt.date, dt.date] | None:
    """The dates both a PBX export and a carrier bill cover, if they overlap."""
    pbx = [f for f in table.files if f.is_pbx_export]
    carrier = [f for f in table.files if not f.is_pbx_export]
    if not pbx or not carrier:
        return None

    def span(files: list[FileCalls]) -> tuple[dt.date, dt.date]:
        starts = pl.concat([f.calls.select(pl.col("start").dt.date()) for f in files])
        first, last = starts.select(pl.col("start").min().alias("a"), pl.col("start").max()).row(0)
        return first, last

    pbx_first, pbx_last = span(pbx)
    carrier_first, carrier_last = span(carrier)
    first, last = max(pbx_first, carrier_first), min(pbx_last, carrier_last)
    return (first, last) if first <= last else None


def _drop_carrier_overlap(calls: pl.DataFrame, table: CallTable) -> tuple[pl.DataFrame, int]:
    """A PBX export and a carrier bill of one period are two views of one traffic: keep the
    PBX export's calls there (they include unanswered calls and ringing)."""
    overlap = _pbx_and_carrier_span(table)
    if overlap is None:
        return calls, 0
    carrier_files = [i for i, f in enumerate(table.files) if not f.is_pbx_export]
    day = pl.col("start").dt.date()
    dropped = pl.col("file").is_in(carrier_files) & day.is_between(overlap[0], overlap[1])
    kept = calls.filter(~dropped)
    return kept, calls.height - kept.height


def build_profile(
    table: CallTable,
    plan: NumberPlan,
    *,
    timezone: str,
    gos: float = 0.01,
    current_lines: int | None = None,
) -> UsageProfile:
    """The usage profile of a call table under a number plan (DESIGN.md's rules)."""
    calls, removed = classify_calls(table, plan)
    skipped = table.skipped
    for reason, count in removed.items():
        skipped[reason] = skipped.get(reason, 0) + count
    if calls.height == 0:
        from app.core.bills import BillError

        raise BillError(", ".join(f.name for f in table.files), "no usable call")
    zone = ZoneInfo(timezone)
    calls = calls.with_columns(
        t0=pl.col("start").dt.epoch("s"),
        month=pl.col("start").dt.year().cast(pl.Int32) * 12 + pl.col("start").dt.month() - 1,
        how=(pl.col("start").dt.weekday().cast(pl.Int16) - 1) * 24
        + pl.col("start").dt.hour().cast(pl.Int16),
        billable=pl.when(pl.col("answered")).then(pl.col("billsec")).otherwise(0),
    )
    first, last = calls.select(
        pl.col("start").min().alias("a"), pl.col("start").max().alias("b")
    ).row(0)
    period = Period(
        start=first.replace(tzinfo=zone).isoformat(),
        end=last.replace(tzinfo=zone).isoformat(),
        days=float((last.date() - first.date()).days + 1),
    )
    totals_row = calls.select(pl.len(), pl.col("answered").sum(), pl.col("billable").sum()).row(0)
    # Independent aggregations run side by side (polars releases the GIL).
    with ThreadPoolExecutor(max_workers=3) as pool:
        cells_job = pool.submit(_cell_aggregates, calls)
        talk_files = [i for i, f in enumerate(table.files) if not f.is_pbx_export]
        figures_job = pool.submit(_signal_figures, calls, talk_files)
        pbx_files = [i for i, f in enumerate(table.files) if f.is_pbx_export]
        parties_job = pool.submit(_distinct_parties, calls, pbx_files)
        traffic = _traffic(calls, first.date(), last.date())
        categories, months, buckets = cells_job.result()
        figures = figures_job.result()
        distinct_extensions, distinct_dids = parties_job.result()
    erlang_channels = channels_for(traffic.busy_hour_erlangs, gos)
    profile = UsageProfile(
        period=period,
        rows=RowCounts(
            read=table.rows_read,
            used=calls.height,
            skipped=sum(skipped.values()),
            skipped_reasons=dict(sorted(skipped.items())),
        ),
        totals=Totals(
            calls=int(totals_row[0]),
            answered_calls=int(totals_row[1]),
            billable_seconds=int(totals_row[2]),
        ),
        categories=categories,
        busy_hour_erlangs=traffic.busy_hour_erlangs,
        peak_concurrent_calls=traffic.peak,
        recommended_channels=RecommendedChannels(
            gos=gos, channels=max(traffic.peak, erlang_channels)
        ),
        distinct_extensions=distinct_extensions,
        distinct_dids=distinct_dids,
        source="measured",
        formats=sorted({f.format.value for f in table.files}),
        currency=next((f.currency for f in table.files if f.currency), None),
        talk_time_only=any(not f.is_pbx_export for f in table.files),
        weekday_hour_erlangs=traffic.weekday_hour,
        days=traffic.days,
        months=months,
        buckets=buckets,
    )
    profile.signals = _signals(figures, profile, table, current_lines)
    return profile


class _Traffic(BaseModel):
    busy_hour_erlangs: float
    peak: int
    weekday_hour: list[list[float]]
    days: list[DayTraffic]


def _distinct_parties(calls: pl.DataFrame, pbx_files: list[int]) -> tuple[int | None, int | None]:
    """Distinct extensions and DIDs (callees of inbound calls) in the PBX exports' calls
    (None, None without a PBX export: a carrier bill does not name them)."""
    if not pbx_files:
        return None, None
    in_pbx = pl.col("file").is_in(pbx_files)
    callers = pl.col("caller").filter(in_pbx & pl.col("caller_ext")).unique()
    callees = pl.col("callee").filter(in_pbx & pl.col("callee_ext")).unique()
    extensions = pl.concat(
        [calls.select(callers).to_series(), calls.select(callees).to_series()]
    ).n_unique()
    inbound = (pl.col("direction") == Direction.INBOUND.value) & (pl.col("callee") != "")
    dids = calls.select(pl.col("callee").filter(in_pbx & inbound).n_unique()).item()
    return extensions, int(dids)


def _seconds_per_hour(starts: Int64s, ends: Int64s) -> tuple[int, Int64s]:
    """Call seconds in each clock hour of intervals ``[s, e)``, given their sorted starts
    and sorted ends, from the first start's hour ``h₀`` on: (h₀, seconds of hours h₀, h₀ +
    1, …).

    With ``F(T) = Σ_{s<T} (T − s) − Σ_{e<T} (T − e)`` the call seconds before ``T``, hour
    ``h`` holds ``F(3600(h+1)) − F(3600h)``; the counts and sums of the times below each
    bound come from the sorted times and their prefix sums (exact integers)."""
    origin = int(starts[0]) // 3600 * 3600
    bounds = np.arange(0, int(ends[-1]) - origin + 3601, 3600, dtype=np.int64)

    def before(times: Int64s) -> Int64s:
        """Σ_{t<T} (T − t) at each bound T (times relative to the origin)."""
        relative = times - origin
        below = np.searchsorted(relative, bounds, side="left")
        sums = np.concatenate(([0], np.cumsum(relative)))
        return np.asarray(bounds * below - sums[below], dtype=np.int64)

    return origin // 3600, np.diff(before(starts) - before(ends))


def _peak_concurrency(starts: Int64s, ends: Int64s) -> int:
    """The most intervals ``[s, e)`` in progress at one instant, given their sorted starts
    and ends: at the i-th start, ``i + 1`` started minus the ends up to it (an end at ``s``
    does not overlap); over tied starts the last is exact and the largest."""
    if len(starts) == 0:
        return 0
    ended = np.searchsorted(ends, starts, side="right")
    return int((np.arange(1, len(starts) + 1) - ended).max())


def _traffic(calls: pl.DataFrame, first: dt.date, last: dt.date) -> _Traffic:
    """Busy hour, peak concurrency, weekday×hour means and daily busy hours of trunk calls,
    each call holding a channel over ``[start, start + hold_s)`` (local wall-clock time).
    Starts and ends are sorted once (stably: bills come nearly in time order, which such a
    sort handles in about linear time)."""
    trunk = calls.select("direction", s="t0", e=pl.col("t0") + pl.col("hold_s")).filter(
        pl.col("direction").is_in(TRUNK)
    )
    matrix = [[0.0] * 24 for _ in range(7)]
    if trunk.height == 0:
        return _Traffic(busy_hour_erlangs=0.0, peak=0, weekday_hour=matrix, days=[])
    starts = np.sort(trunk.get_column("s").to_numpy(), kind="stable")
    ends = np.sort(trunk.get_column("e").to_numpy(), kind="stable")
    first_hour, seconds = _seconds_per_hour(starts, ends)
    hour = first_hour + np.arange(len(seconds))
    day = hour // 24
    slots = [0] * 7
    for offset in range((last - first).days + 1):
        slots[(first + dt.timedelta(days=offset)).weekday()] += 1
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    by_weekday_hour = np.bincount(weekday * 24 + hour % 24, weights=seconds, minlength=168)
    for cell, total in enumerate(by_weekday_hour.tolist()):
        if slots[cell // 24]:
            matrix[cell // 24][cell % 24] = total / 3600 / slots[cell // 24]
    first_day = int(day[0])
    day_max = np.zeros(int(day[-1]) - first_day + 1, dtype=np.int64)
    np.maximum.at(day_max, day - first_day, seconds)
    day_edges = (first_day + np.arange(len(day_max) + 1)) * DAY_SECONDS
    day_calls = np.diff(np.searchsorted(starts, day_edges, side="left"))
    epoch = dt.date(1970, 1, 1)
    days = [
        DayTraffic(
            date=(epoch + dt.timedelta(days=first_day + i)).isoformat(),
            calls=int(day_calls[i]),
            busy_hour_erlangs=int(day_max[i]) / 3600,
        )
        for i in np.flatnonzero((day_calls > 0) | (day_max > 0)).tolist()
    ]
    return _Traffic(
        busy_hour_erlangs=int(seconds.max()) / 3600,
        peak=_peak_concurrency(starts, ends),
        weekday_hour=matrix,
        days=days,
    )


# Cells of calls are keyed by integer codes: ``line`` = (direction, category, country) and
# ``bucket`` = (line, prefix code, hour of week), each a bit field of one Int64.
PREFIX_BITS = 27  # prefix codes (numberplan.prefix_code) are below 10⁸ < 2²⁷; 0 for none
HOUR_BITS = 8


def _coded(calls: pl.DataFrame) -> tuple[pl.DataFrame, LineNames]:
    """The calls as integer codes ``line``, ``bucket``, ``month``, ``answered``,
    ``billsec``, ``billable`` (and ``cost``), and each line code's (direction, category,
    country); codes sort as direction, category, country (nulls last), prefix, hour."""
    country_count = len(REGION_DTYPE.categories) + 1  # the last code: no country
    line = (
        pl.col("direction").to_physical().cast(pl.Int64) * len(Category)
        + pl.col("category").to_physical().cast(pl.Int64)
    ) * country_count + pl.col("country").to_physical().cast(pl.Int64).fill_null(country_count - 1)
    bucket = (pl.col("line") * 2**PREFIX_BITS + pl.col("prefix_code").fill_null(0)) * (
        2**HOUR_BITS
    ) + pl.col("how").cast(pl.Int64)
    coded = calls.select(
        "month", "answered", "billsec", "billable", "cost", "prefix_code", "how", line=line
    ).with_columns(bucket=bucket)
    return coded.drop("prefix_code", "how"), _line_names()


@cache
def _line_names() -> tuple[tuple[str, str, str | None], ...]:
    """Each line code's (direction, category, country), in code order (see ``_coded``)."""
    countries = REGION_DTYPE.categories.to_list()
    return tuple(
        (d.value, c.value, country)
        for d in Direction
        for c in Category
        for country in [*countries, None]
    )


def _cell_aggregates(
    calls: pl.DataFrame,
) -> tuple[list[CategoryUsage], list[MonthTotals], DurationBuckets]:
    """Categories, months and buckets, each from one group-by of integer-coded calls."""
    coded, names = _coded(calls)
    has_cost = bool(coded.select(pl.col("cost").is_not_null().any()).item())
    return (
        _categories(coded, names, has_cost),
        _months(coded, has_cost),
        _buckets(coded.select("bucket", "month", "billsec", "answered").filter("answered"), names),
    )


def _sums(has_cost: bool) -> list[pl.Expr]:
    """Calls, answered calls, billable seconds and billed cost (null when none has one)."""
    cost = pl.col("cost")
    return [
        pl.len().alias("calls"),
        pl.col("answered").sum().alias("answered_calls"),
        pl.col("billable").sum().alias("billable_seconds"),
        (pl.when(cost.is_not_null().any()).then(cost.sum()) if has_cost else pl.lit(None)).alias(
            "billed_cost"
        ),
    ]


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize() + Decimal(0)


def _month_name(month: int) -> str:
    """``YYYY-MM`` of a month number ``year × 12 + month − 1``."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _categories(coded: pl.DataFrame, names: LineNames, has_cost: bool) -> list[CategoryUsage]:
    """One usage a (direction, category, country), sorted by their names (nulls last),
    with its exact histogram of answered calls by billable seconds."""
    width = 2**40  # above any billable seconds: (line, billsec) as one integer
    cells = coded.select((pl.col("line") * width + pl.col("billsec")).filter("answered"))
    counted = cells.to_series().value_counts().sort("line")
    line, seconds = np.divmod(counted.get_column("line").to_numpy(), width)
    counts = counted.get_column("count").to_numpy()
    bounds = np.flatnonzero(line[1:] != line[:-1]) + 1
    histograms = {
        int(of_line[0]): dict(zip(map(str, durations.tolist()), calls.tolist(), strict=True))
        for of_line, durations, calls in zip(
            *(np.split(column, bounds) for column in (line, seconds, counts)), strict=True
        )
        if len(of_line)
    }
    lines = coded.group_by("line").agg(_sums(has_cost)).iter_rows(named=True)
    usages = [
        CategoryUsage(
            direction=Direction(names[row["line"]][0]),
            category=Category(names[row["line"]][1]),
            country=names[row["line"]][2],
            calls=row["calls"],
            answered_calls=row["answered_calls"],
            billable_seconds=row["billable_seconds"],
            billed_cost=_money(row["billed_cost"]),
            duration_histogram=histograms.get(row["line"], {}),
        )
        for row in lines
    ]
    return sorted(
        usages,
        key=lambda u: (u.direction.value, u.category.value, u.country is None, u.country or ""),
    )


def _months(coded: pl.DataFrame, has_cost: bool) -> list[MonthTotals]:
    rows = coded.group_by("month").agg(_sums(has_cost)).sort("month")
    return [
        MonthTotals(
            month=_month_name(r["month"]),
            calls=r["calls"],
            answered_calls=r["answered_calls"],
            billable_seconds=r["billable_seconds"],
            billed_cost=_money(r["billed_cost"]),
        )
        for r in rows.iter_rows(named=True)
    ]


def _buckets(answered: pl.DataFrame, names: LineNames) -> DurationBuckets:
    """Answered calls counted by (direction, category, country, prefix, hour of week,
    month, billable seconds), packed column-wise: buckets sorted by (line, month, hour,
    prefix code), rows by (bucket, billable seconds) — the order rating indexes them in."""
    hours, prefix_span = 2**HOUR_BITS, 2**PREFIX_BITS
    first_month, last_month, longest = answered.select(
        a=pl.col("month").min(), b=pl.col("month").max(), c=pl.col("billsec").max()
    ).row(0)
    month_span = (last_month or 0) - (first_month or 0) + 1
    bucket = pl.col("bucket")
    line_month = (bucket // (hours * prefix_span)) * month_span + pl.col("month") - first_month
    cells = answered.select(
        cell=(line_month * hours + bucket % hours) * prefix_span + (bucket // hours) % prefix_span,
        billsec="billsec",
    )
    width = (longest or 0) + 1  # (cell, billsec) sorts as one integer when it fits in 63 bits
    last_cell = cells.select(pl.col("cell").max()).item() or 0
    if (last_cell + 1) * width < 2**63:
        packed = cells.select(pl.col("cell") * width + pl.col("billsec")).to_series().sort()
        cell, billsec = np.divmod(packed.to_numpy(), width)
    else:
        calls = cells.sort("cell", "billsec")
        cell, billsec = calls.get_column("cell").to_numpy(), calls.get_column("billsec").to_numpy()
    row_start = np.ones(len(cell), dtype=bool)  # a new (cell, billsec) row starts here
    row_start[1:] = (cell[1:] != cell[:-1]) | (billsec[1:] != billsec[:-1])
    first = np.flatnonzero(row_start)
    count = np.diff(first, append=len(cell))
    cell = cell[first]
    cell_start = np.ones(len(cell), dtype=bool)
    cell_start[1:] = cell[1:] != cell[:-1]
    key = np.cumsum(cell_start) - 1
    cell = cell[cell_start]
    line_month, hour, prefix = (
        cell // (hours * prefix_span),
        (cell // prefix_span) % hours,
        cell % prefix_span,
    )
    line_codes, line_index = np.unique(line_month // month_span, return_inverse=True)
    prefix_codes, prefix_index = np.unique(prefix, return_inverse=True)
    texts = pl.select(prefix_text(pl.lit(pl.Series(prefix_codes)))).to_series().to_list()
    month_numbers, month_index = np.unique(line_month % month_span, return_inverse=True)
    return DurationBuckets.model_construct(
        lines=[
            (Direction(names[c][0]), Category(names[c][1]), names[c][2])
            for c in line_codes.tolist()
        ],
        prefixes=[None if c == 0 else t for c, t in zip(prefix_codes.tolist(), texts, strict=True)],
        months=[_month_name(m + (first_month or 0)) for m in month_numbers.tolist()],
        key_line=pack(line_index),
        key_prefix=pack(prefix_index),
        key_hour=pack(hour),
        key_month=pack(month_index),
        key=pack(key),
        duration=pack(billsec[first]),
        count=pack(count),
    )


def _signal_figures(calls: pl.DataFrame, talk_files: list[int]) -> dict[str, int]:
    """The sums the deal signals need: outbound calls (all, short or unanswered), billable
    seconds (outbound, of it international or premium, inbound), the outbound seconds to
    the top destinations (numbers told apart by a 64-bit hash: a collision would only merge
    two destinations in this figure) and the calls of the files ``talk_files``."""
    is_out = pl.col("direction") == Direction.OUTBOUND.value
    is_in = pl.col("direction") == Direction.INBOUND.value
    heavy = pl.col("category").is_in([Category.INTERNATIONAL.value, Category.PREMIUM.value])
    short = ~pl.col("answered") | (pl.col("billsec") < AUTODIALER_SECONDS)
    row = calls.select(
        outbound_calls=is_out.sum(),
        short_outbound=(is_out & short).sum(),
        outbound_seconds=pl.col("billable").filter(is_out).sum(),
        heavy_seconds=pl.col("billable").filter(is_out & heavy).sum(),
        inbound_seconds=pl.col("billable").filter(is_in).sum(),
        talk_calls=pl.col("file").is_in(talk_files).sum(),
        calls=pl.len(),
    ).row(0, named=True)
    figures = {name: int(value or 0) for name, value in row.items()}
    figures["top_seconds"] = int(
        calls.select(
            number=pl.struct("cc", "nsn").filter(is_out).hash(),
            billable=pl.col("billable").filter(is_out),
        )
        .group_by("number")
        .agg(pl.col("billable").sum())
        .top_k(CONCENTRATION_TOP, by="billable")
        .select(pl.col("billable").sum())
        .item()
        or 0
    )
    return figures


def _signals(
    figures: dict[str, int],
    profile: UsageProfile,
    table: CallTable,
    current_lines: int | None,
) -> list[Signal]:
    """Deal signals, each with its figure and threshold (see the constants above)."""
    signals: list[Signal] = []
    outbound_calls = figures["outbound_calls"]
    outbound_seconds = figures["outbound_seconds"]
    if outbound_calls >= AUTODIALER_MIN_CALLS:
        share = figures["short_outbound"] / outbound_calls
        if share > AUTODIALER_SHARE:
            signals.append(
                Signal(
                    code="autodialer_like",
                    figure=share,
                    threshold=AUTODIALER_SHARE,
                    detail=f"share of outbound calls unanswered or under {AUTODIALER_SECONDS} s",
                )
            )
    scale = MONTH_DAYS / profile.period.days
    if profile.distinct_dids and profile.distinct_dids >= IDLE_DID_MIN_DIDS:
        inbound_minutes = figures["inbound_seconds"] / 60
        per_did = inbound_minutes * scale / profile.distinct_dids
        if per_did < IDLE_DID_MINUTES:
            signals.append(
                Signal(
                    code="idle_dids",
                    figure=per_did,
                    threshold=IDLE_DID_MINUTES,
                    detail="inbound minutes per DID per month (below the threshold)",
                )
            )
    if outbound_seconds:
        share = figures["heavy_seconds"] / outbound_seconds
        if share > INTERNATIONAL_SHARE:
            signals.append(
                Signal(
                    code="international_or_premium_heavy",
                    figure=share,
                    threshold=INTERNATIONAL_SHARE,
                    detail="international and premium share of outbound billable seconds",
                )
            )
    if outbound_calls >= CONCENTRATION_MIN_CALLS and outbound_seconds:
        share = figures["top_seconds"] / outbound_seconds
        if share > CONCENTRATION_SHARE:
            signals.append(
                Signal(
                    code="concentrated_destinations",
                    figure=share,
                    threshold=CONCENTRATION_SHARE,
                    detail=f"share of outbound billable seconds to the top {CONCENTRATION_TOP}"
                    " destinations",
                )
            )
    if profile.talk_time_only:
        share = figures["talk_calls"] / figures["calls"]
        signals.append(
            Signal(
                code="talk_time_only",
                figure=share,
                threshold=0.0,
                detail="share of calls from bills listing talk time only: sizing is a lower"
                " bound (no ringing)",
            )
        )
    if current_lines and profile.peak_concurrent_calls >= current_lines:
        signals.append(
            Signal(
                code="peak_at_line_count",
                figure=float(profile.peak_concurrent_calls),
                threshold=float(current_lines),
                detail="peak concurrency reaches the current line count: demand may"
                " have been blocked",
            )
        )
    overlap = _pbx_and_carrier_span(table)
    if overlap is not None:
        days = (overlap[1] - overlap[0]).days + 1
        signals.append(
            Signal(
                code="pbx_and_carrier_overlap",
                figure=float(days),
                threshold=0.0,
                detail="days covered by both a PBX export and a carrier bill: counted once,"
                " from the PBX export",
            )
        )
    return signals


# --- profiles from entered figures ----------------------------------------------------


class EnteredCategory(BaseModel):
    """Calls and minutes a month of one (direction, category, country), as told by the client."""

    direction: Direction
    category: Category
    country: str | None = None
    calls: int = Field(ge=0)
    minutes: float = Field(ge=0)
    billed_cost: Decimal | None = None


class EnteredFigures(BaseModel):
    """A month of traffic typed in by a rep (no bill): categories, and busy-hour calls or
    current lines to size channels. ``busy_hour_share``: the busy hour's share of a
    business day's traffic when neither is given (planning rule of thumb)."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    categories: list[EnteredCategory]
    busy_hour_calls: int | None = Field(None, ge=0)
    current_lines: int | None = Field(None, ge=0)
    business_days: int = Field(22, ge=1, le=31)
    busy_hour_share: float = Field(0.15, gt=0, le=1)
    gos: float = Field(0.01, gt=0, lt=1)


def _split_evenly(total_seconds: int, calls: int) -> dict[str, int]:
    """Exact histogram of ``calls`` calls summing to ``total_seconds``: durations q and q+1
    with ``q, r = divmod(total, calls)`` (r calls of q+1)."""
    if calls == 0:
        return {}
    q, r = divmod(total_seconds, calls)
    histogram = {}
    if calls - r:
        histogram[str(q)] = calls - r
    if r:
        histogram[str(q + 1)] = r
    return histogram


def offered_traffic(channels: int, gos: float) -> float:
    """The largest traffic A with ``B(channels, A) ≤ gos`` (bisection on Erlang B)."""
    if channels <= 0:
        return 0.0
    low, high = 0.0, float(channels) * 2 + 10
    for _ in range(100):
        mid = (low + high) / 2
        if erlang_b(channels, mid) <= gos:
            low = mid
        else:
            high = mid
    return low


def profile_from_figures(figures: EnteredFigures) -> UsageProfile:
    """A profile of the same shape from entered figures, marked ``source="entered"``.

    Histograms assume every call of a category lasts the average (exactly: q or q+1 s).
    Busy-hour Erlangs ``A``: ``busy_hour_calls × mean trunk call seconds / 3600``; else the
    traffic ``current_lines`` carry at the grade of service; else
    ``trunk minutes / business_days × busy_hour_share / 60``."""
    year, month = (int(part) for part in figures.month.split("-"))
    days = calendar.monthrange(year, month)[1]
    categories = []
    for entry in figures.categories:
        seconds = round(entry.minutes * 60)
        categories.append(
            CategoryUsage(
                direction=entry.direction,
                category=entry.category,
                country=entry.country,
                calls=entry.calls,
                answered_calls=entry.calls,
                billable_seconds=seconds if entry.calls else 0,
                billed_cost=entry.billed_cost,
                duration_histogram=_split_evenly(seconds, entry.calls),
            )
        )
    trunk = [c for c in categories if c.direction is not Direction.INTERNAL]
    trunk_calls = sum(c.calls for c in trunk)
    trunk_seconds = sum(c.billable_seconds for c in trunk)
    if figures.busy_hour_calls is not None and trunk_calls:
        busy = figures.busy_hour_calls * trunk_seconds / trunk_calls / 3600
    elif figures.current_lines:
        busy = offered_traffic(figures.current_lines, figures.gos)
    else:
        busy = trunk_seconds / 60 / figures.business_days * figures.busy_hour_share / 60
    erlang_channels = channels_for(busy, figures.gos)
    peak = figures.current_lines if figures.current_lines is not None else erlang_channels
    total_calls = sum(c.calls for c in categories)
    total_seconds = sum(c.billable_seconds for c in categories)
    costs = [c.billed_cost for c in categories if c.billed_cost is not None]
    return UsageProfile(
        period=Period(
            start=dt.date(year, month, 1).isoformat() + "T00:00:00",
            end=dt.date(year, month, days).isoformat() + "T23:59:59",
            days=float(days),
        ),
        rows=RowCounts(read=0, used=0, skipped=0),
        totals=Totals(
            calls=total_calls, answered_calls=total_calls, billable_seconds=total_seconds
        ),
        categories=categories,
        busy_hour_erlangs=busy,
        peak_concurrent_calls=peak,
        recommended_channels=RecommendedChannels(
            gos=figures.gos, channels=max(peak, erlang_channels)
        ),
        distinct_extensions=None,
        distinct_dids=None,
        source="entered",
        months=[
            MonthTotals(
                month=figures.month,
                calls=total_calls,
                answered_calls=total_calls,
                billable_seconds=total_seconds,
                billed_cost=sum(costs, Decimal(0)) if costs else None,
            )
        ],
    )
