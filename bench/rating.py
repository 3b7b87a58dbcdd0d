"""Rating speed: a profile of a million calls under one tariff, against rating the calls one by one.

    .venv/bin/python bench/rating.py [--calls 1000000] [--repeat 7] [--tariff tariffs/x.yaml ...]

Builds a million generated calls (Shanghai office traffic: local, mobile, national,
international by country and prefix, busy-hour weighted, two months), reduces them to a
usage profile (category histograms and buckets, as the profile builder keeps them), stores
it as JSON, then, for each tariff (default: CN business lines, with a night band and GB
mobiles priced by the prefix +44 7; US SIP 6/6, with the same prefix rate; CN SIP trunk,
flat: neither prefix nor band), reports the median time of:

- **per-call rating** (the baseline): the same calls rated one by one, vectorised with
  polars/numpy over the call rows (a join to each call's rate, the billing formula in
  integer ticks, a group-by);
- **cold**: ``prepare_profile`` + ``rate_usage`` on a profile just loaded from the JSON
  (loading untimed);
- **prepared, new tariff**: ``rate_usage`` on a profile prepared once (and rated before
  under another tariff), under a tariff just loaded from its YAML (loading untimed) and
  never rated before;
- **warm**: ``rate_usage`` again under the same tariff (its runs cached) — what a
  comparison pays for each further scenario or sensitivity step.

Each figure comes with its ratio to the baseline (target: over 100×) and whether it meets
it. All four give the same total (checked, to 1e-12). The target is for rating: a prepared
profile under a tariff, new or rated before — as the baseline rates calls already in a
DataFrame. Cold adds preparing the profile (indexing its million bucket rows), once per
profile, and the time to load the profile's JSON is printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.rating import (
    AVERAGE_MONTH_DAYS,
    PreparedProfile,
    _choose_rate,
    _prefix_chain,
    _rate_table,
    prepare_profile,
    rate_usage,
)
from app.core.tariffs import Tariff, load_tariff
from app.core.usage import (
    Category,
    CategoryUsage,
    Direction,
    DurationBuckets,
    Period,
    RecommendedChannels,
    RowCounts,
    Totals,
    UsageProfile,
    pack,
)

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

# (direction, category, country, share, prefixes)
LINES = [
    ("outbound", "local", "CN", 0.28, [f"+86 21{i:02d}" for i in range(100)]),
    ("outbound", "mobile", "CN", 0.24, [f"+86 1{i:03d}" for i in range(300, 400)]),
    ("outbound", "national", "CN", 0.14, [f"+86 {i}" for i in range(1000, 1300)]),
    ("outbound", "shared_cost", "CN", 0.03, ["+86 4008", "+86 4006"]),
    ("outbound", "toll_free", "CN", 0.01, ["+86 8008"]),
    ("outbound", "international", "US", 0.01, ["+1 2125", "+1 6465", "+1 4155"]),
    ("outbound", "international", "GB", 0.01, ["+44 7911", "+44 7700", "+44 2079"]),
    ("outbound", "international", "HK", 0.01, ["+852 9123", "+852 2345"]),
    ("outbound", "international", "DE", 0.005, ["+49 3077", "+49 1512"]),
    ("outbound", "international", "JP", 0.005, ["+81 3123", "+81 9012"]),
    ("inbound", "local", "CN", 0.12, [f"+86 21{i:02d}" for i in range(100)]),
    ("inbound", "mobile", "CN", 0.10, [f"+86 1{i:03d}" for i in range(300, 400)]),
    ("inbound", "national", "CN", 0.04, [f"+86 {i}" for i in range(1000, 1100)]),
    ("inbound", "shared_cost", "CN", 0.01, ["+86 4008"]),
]
MONTHS = ["2026-09", "2026-10"]
TARIFFS = ["cn-pstn-business-lines.yaml", "us-sip-trunk.yaml", "cn-sip-trunk.yaml"]
DAYS = 61.0


def generate_calls(n: int, seed: int = 7) -> pl.DataFrame:
    """Generated calls: line, prefix, hour of week, month, billable seconds."""
    rng = np.random.default_rng(seed)
    shares = np.asarray([line[3] for line in LINES])
    line = rng.choice(len(LINES), size=n, p=shares / shares.sum())
    prefix_counts = np.asarray([len(line[4]) for line in LINES])
    prefix_in_line = (rng.random(n) * prefix_counts[line]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(prefix_counts)[:-1]])
    hour_weight = np.asarray(
        [
            (4.0 if 9 <= h < 12 or 14 <= h < 18 else 1.5 if 8 <= h < 20 else 0.1)
            * (1.0 if d < 5 else 0.15)
            for d in range(7)
            for h in range(24)
        ]
    )
    hour = rng.choice(168, size=n, p=hour_weight / hour_weight.sum())
    month = rng.integers(0, len(MONTHS), size=n)
    seconds = np.minimum(rng.exponential(140.0, size=n).astype(np.int64), 7200)
    return pl.DataFrame(
        {
            "line": line,
            "prefix": offsets[line] + prefix_in_line,
            "hour": hour,
            "month": month,
            "seconds": seconds,
        }
    )


def profile_from_calls(calls: pl.DataFrame) -> UsageProfile:
    """The calls reduced to a profile's packed buckets, in the profile builder's order:
    buckets by (line, month, hour, prefix), rows by (bucket, seconds)."""
    prefixes = [p for line in LINES for p in line[4]]
    grouped = (
        calls.group_by(["line", "month", "hour", "prefix", "seconds"])
        .len()
        .sort(["line", "month", "hour", "prefix", "seconds"])
        .with_columns(
            key=pl.struct(["line", "month", "hour", "prefix"]).rank("dense").cast(pl.Int64) - 1
        )
    )
    keys_frame = grouped.unique("key", keep="first", maintain_order=True)
    total_seconds = int(calls["seconds"].sum())
    histograms = calls.group_by(["line", "seconds"]).len().sort(["line", "seconds"])
    categories = [
        CategoryUsage(
            direction=Direction(LINES[line][0]),
            category=Category(LINES[line][1]),
            country=LINES[line][2],
            calls=int(group["len"].sum()),
            answered_calls=int(group["len"].sum()),
            billable_seconds=int((group["seconds"] * group["len"]).sum()),
            duration_histogram={
                str(d): n for d, n in zip(group["seconds"], group["len"], strict=True)
            },
        )
        for (line,), group in histograms.group_by("line", maintain_order=True)
    ]
    return UsageProfile(
        period=Period(
            start="2026-09-01T00:00:00+08:00", end="2026-10-31T23:59:59+08:00", days=DAYS
        ),
        rows=RowCounts(read=calls.height, used=calls.height, skipped=0),
        totals=Totals(
            calls=calls.height, answered_calls=calls.height, billable_seconds=total_seconds
        ),
        categories=categories,
        busy_hour_erlangs=20.0,
        peak_concurrent_calls=25,
        recommended_channels=RecommendedChannels(gos=0.01, channels=30),
        distinct_extensions=120,
        distinct_dids=20,
        buckets=DurationBuckets(
            lines=[(Direction(d), Category(c), country) for d, c, country, _, _ in LINES],
            prefixes=prefixes,
            months=MONTHS,
            key_line=pack(keys_frame["line"].to_numpy()),
            key_prefix=pack(keys_frame["prefix"].to_numpy()),
            key_hour=pack(keys_frame["hour"].to_numpy()),
            key_month=pack(keys_frame["month"].to_numpy()),
            key=pack(grouped["key"].to_numpy()),
            duration=pack(grouped["seconds"].to_numpy()),
            count=pack(grouped["len"].to_numpy()),
        ),
    )


def per_call_rating(calls: pl.DataFrame, tariff: Tariff) -> Fraction:
    """The average month rated call by call, vectorised over the rows: each call joins its
    rate (resolved once per distinct line, tariff prefix and time band), then the billing
    formula in integer ticks, then a sum per line."""
    usage = tariff.usage
    prefixes = [p for line in LINES for p in line[4]]
    tariff_prefixes = {r.prefix for r in usage.rates if r.prefix}
    band_names = list(usage.time_bands)
    band_of_hour = np.full(168, len(band_names), dtype=np.int64)
    for index, hours in enumerate(usage.band_hours().values()):
        band_of_hour[sorted(hours)] = index
    chains = [_prefix_chain(p, tariff_prefixes) for p in prefixes]
    chain_ids = {chain: i for i, chain in enumerate(dict.fromkeys(chains))}
    chain_of_prefix = np.asarray([chain_ids[c] for c in chains], dtype=np.int64)
    chain_list = list(chain_ids)
    ticks = _rate_table(usage).ticks_per_unit  # 60 · 10^E: every price whole
    keyed = calls.with_columns(
        chain=pl.Series(chain_of_prefix[calls["prefix"].to_numpy()]),
        band=pl.Series(band_of_hour[calls["hour"].to_numpy()]),
    )
    rows = []
    for line, chain, band in keyed.select(["line", "chain", "band"]).unique().iter_rows():
        direction, category, country = LINES[line][:3]
        slot = _choose_rate(
            usage,
            (Direction(direction), Category(category), country),
            chain_list[chain],
            band_names[band] if band < len(band_names) else None,
        )
        rate = usage.rates[slot] if slot >= 0 else None
        rows.append(
            (
                line,
                chain,
                band,
                rate.first_seconds if rate else 1,
                rate.step_seconds if rate else 1,
                int((rate.connect_fee + rate.first_period_price) * ticks) if rate else 0,
                int(rate.rate_per_minute * rate.step_seconds * ticks // 60) if rate else 0,
                int(rate.min_charge * ticks) if rate else 0,
                slot >= 0,
            )
        )
    rates = pl.DataFrame(
        rows,
        schema=["line", "chain", "band", "a", "b", "base", "per_step", "minimum", "rated"],
        orient="row",
    )
    d = pl.col("seconds")
    steps = ((d - pl.col("a")).clip(lower_bound=0) + pl.col("b") - 1) // pl.col("b")
    charge = pl.max_horizontal(pl.col("base") + steps * pl.col("per_step"), pl.col("minimum"))
    amounts = (
        keyed.join(rates, on=["line", "chain", "band"], how="left")
        .with_columns(
            ticks=pl.when(pl.col("rated") & (d > 0)).then(charge).otherwise(0),
        )
        .group_by("line")
        .agg(pl.col("ticks").sum())
    )
    total_ticks = int(amounts["ticks"].sum())
    return Fraction(total_ticks, ticks) * AVERAGE_MONTH_DAYS / Fraction(Decimal(str(DAYS)))


def median_seconds(action: Callable[[T], object], setup: Callable[[], T], repeat: int) -> float:
    """The median time of ``action(setup())``, the setup untimed."""
    times = []
    for _ in range(repeat):
        argument = setup()
        start = time.perf_counter()
        action(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_tariff(
    path: Path, calls: pl.DataFrame, stored: str, prepared: PreparedProfile, repeat: int
) -> list[str]:
    """Print the figures for one tariff; return those over 100× faster than per call."""
    tariff = load_tariff(path)
    print(f"\n{tariff.name} ({path.name})")
    per_call_total = per_call_rating(calls, tariff)
    ratings = {
        "cold": rate_usage(prepare_profile(UsageProfile.model_validate_json(stored)), tariff),
        "prepared, new tariff": rate_usage(prepared, load_tariff(path)),
        "warm": rate_usage(prepared, tariff),
    }
    for name, rating in ratings.items():
        if abs(Fraction(rating.total) - per_call_total) >= Fraction(1, 10**12):
            raise SystemExit(f"{name}: {rating.total} differs from per call: {per_call_total}")
    print(f"  average-month usage: {ratings['warm'].total:.6f} {tariff.currency} (= per call)")
    baseline = median_seconds(lambda _: per_call_rating(calls, tariff), lambda: None, repeat)
    figures = {
        "cold (prepare + rate)": median_seconds(
            lambda loaded: rate_usage(prepare_profile(loaded), tariff),
            lambda: UsageProfile.model_validate_json(stored),
            repeat,
        ),
        "prepared, new tariff": median_seconds(
            lambda new: rate_usage(prepared, new), lambda: load_tariff(path), repeat
        ),
        "warm (runs cached)": median_seconds(
            lambda _: rate_usage(prepared, tariff), lambda: None, repeat
        ),
    }
    print(f"  {'per-call rating, vectorised (baseline):':40} {baseline * 1000:8.2f} ms")
    met = []
    for name, seconds in figures.items():
        ratio = baseline / seconds
        print(f"  {name + ':':40} {seconds * 1000:8.2f} ms {ratio:7.1f}×", end="")
        print("  meets 100×" if ratio > 100 else "  below 100×")
        if ratio > 100:
            met.append(f"{path.stem}: {name}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--tariff", type=Path, action="append", help="repeatable; default: " + ", ".join(TARIFFS)
    )
    args = parser.parse_args()
    paths = args.tariff or [ROOT / "tariffs" / name for name in TARIFFS]
    calls = generate_calls(args.calls)
    stored = profile_from_calls(calls).model_dump_json()
    profile = UsageProfile.model_validate_json(stored)
    print(
        f"calls: {calls.height:,}; profile: {len(profile.buckets.column('key_line')):,} "
        f"bucket keys, {len(profile.buckets.column('count')):,} (key, duration) rows, "
        f"{sum(len(c.duration_histogram) for c in profile.categories):,} histogram cells"
    )
    loading = median_seconds(UsageProfile.model_validate_json, lambda: stored, 3)
    print(
        f"the profile's JSON: {len(stored) / 1e6:.1f} MB, loaded in {loading * 1000:.0f} ms "
        "(once per profile; untimed below)"
    )
    prepared = prepare_profile(profile)
    rate_usage(prepared, load_tariff(paths[-1]))  # prepared: rated once under another tariff
    met = [
        line for path in paths for line in bench_tariff(path, calls, stored, prepared, args.repeat)
    ]
    print(f"\nmedians of {args.repeat}; over 100× faster: {'; '.join(met) or 'none'}")


if __name__ == "__main__":
    main()
