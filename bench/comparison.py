"""Comparison speed: a three-alternative, 60-month comparison recomputed from a stored profile.

    .venv/bin/python bench/comparison.py [--calls 100000] [--repeat 9]

The stored profile is the demo Asterisk bill of a Shanghai office (``demo/``), analysed,
scaled to ``--calls`` calls (its bucket counts multiplied: the same traffic shape, a bigger
office) and written to JSON. The scenario: today's business lines (rated under the shipped
``pstn`` tariff) with old-PBX upkeep and an end-of-support upgrade, against an on-prem
IP-PBX + SIP trunk, a hosted PBX (pooled minutes, per seat) and a SIP trunk behind the old
PBX; 5 % seat growth, 2 % escalation. Reported, as medians:

- **comparison**: ``compare()`` from the loaded profile (profile preparation and histogram
  rating included), without and with the full sensitivity analysis (7-driver tornado and
  the "what it takes" solutions); target < 20 ms and < 200 ms; and with the profile
  prepared once (``prepare_profile``), as a session moving sliders can keep it;
- **baseline**: the same comparisons with rating done call by call — the profile's calls
  expanded one row a call and each rating (each tariff, each growth year, each
  sensitivity step) charged per call with numpy in integer ticks; the results agree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core import scenarios
from app.core.profile import AnalysisOptions, analyze_files
from app.core.rating import (
    AVERAGE_MONTH_DAYS,
    PoolUse,
    UsageLine,
    UsageRating,
    _choose_rate,
    _prefix_chain,
    _rate_table,
    prepare_profile,
)
from app.core.scenarios import Scenario, compare
from app.core.tariffs import Tariff, load_tariff, parse_traffic
from app.core.usage import Category, Direction, UsageProfile, pack

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = """
horizon_months: 60
discount_rate_annual: 0.08
start_month: "2027-01"
seat_growth_annual: 0.05
price_escalation_annual: 0.02
status_quo:
  tariff: cn-pstn-business-lines
  usage_from: tariff
  recurring:
    - {name: old PBX maintenance, amount: 800, component: maintenance, escalates: false}
  one_time:
    - {name: old PBX end-of-support upgrade, amount: 30000, month: 18}
alternatives:
  - name: On-prem IP-PBX + SIP trunk
    kind: onprem
    tariffs: [cn-onprem-ippbx, cn-sip-trunk]
    migration: {parallel_months: 1, training: 3000}
  - name: Hosted PBX
    kind: hosted
    tariffs: [cn-hosted-pbx]
    discount_pct: 5
  - name: SIP trunk behind today's PBX
    kind: sip_only
    tariffs: [cn-sip-trunk]
    recurring:
      - {name: old PBX maintenance, amount: 800, component: maintenance, escalates: false}
"""


def stored_profile(calls: int, directory: Path) -> Path:
    """The demo Asterisk bill analysed, scaled to about ``calls`` calls, saved as JSON."""
    name = "asterisk-master-shanghai.csv"
    options = AnalysisOptions(country="CN", area_codes=["21"], outside_prefix="9")
    profile = analyze_files([(name, (ROOT / "demo" / name).read_bytes())], options)
    factor = max(1, round(calls / profile.totals.calls))
    buckets = profile.buckets.model_copy(
        update={"count": pack(profile.buckets.column("count") * factor)}
    )
    scaled = profile.model_copy(
        update={
            "buckets": buckets,
            "categories": [
                c.model_copy(
                    update={
                        "calls": c.calls * factor,
                        "answered_calls": c.answered_calls * factor,
                        "billable_seconds": c.billable_seconds * factor,
                        "duration_histogram": {
                            d: n * factor for d, n in c.duration_histogram.items()
                        },
                    }
                )
                for c in profile.categories
            ],
            "busy_hour_erlangs": profile.busy_hour_erlangs * factor,
            "peak_concurrent_calls": profile.peak_concurrent_calls * factor,
            "distinct_extensions": (profile.distinct_extensions or 1) * factor,
        }
    )
    path = directory / "profile.json"
    path.write_text(scaled.model_dump_json())
    return path


class PerCallRater:
    """Rates the profile's calls one by one: one row a call (the histograms expanded), each
    call's rate chosen for its line, prefix and hour, the billing formula per call in
    integer ticks, sums per line; the average month is then scaled by 30.4375 / D."""

    def __init__(self, profile: UsageProfile) -> None:
        prepared = prepare_profile(profile)
        self.profile = profile
        self.lines = prepared.lines
        self.prefixes = prepared.prefixes
        self.key_line = prepared.key_line
        self.key_prefix = prepared.key_prefix
        self.key_hour = prepared.key_hour
        self.call_key = np.repeat(prepared.row_key, prepared.count)
        self.call_seconds = np.repeat(prepared.duration, prepared.count)
        self.scale = Decimal(AVERAGE_MONTH_DAYS.numerator) / AVERAGE_MONTH_DAYS.denominator
        self.scale /= Decimal(str(profile.period.days))

    @property
    def calls(self) -> int:
        return len(self.call_key)

    def rate(
        self,
        tariff: Tariff,
        *,
        volume: Decimal = Decimal(1),
        price: Decimal = Decimal(1),
        seats: int = 1,
    ) -> UsageRating:
        """The average month's usage under ``tariff`` with the calls × ``volume`` and the
        prices × ``price``, its pools drawn for ``seats``."""
        usage = tariff.usage
        assert usage.rounding is None, "the benchmark tariffs round nothing"
        tariff_prefixes = {r.prefix for r in usage.rates if r.prefix}
        bands = usage.band_hours()
        band_of_hour = {h: name for name, hours in bands.items() for h in hours}
        key_slot = np.asarray(
            [
                _choose_rate(
                    usage,
                    self.lines[line],
                    _prefix_chain(self.prefixes[prefix], tariff_prefixes),
                    band_of_hour.get(hour),
                )
                for line, prefix, hour in zip(
                    self.key_line.tolist(),
                    self.key_prefix.tolist(),
                    self.key_hour.tolist(),
                    strict=True,
                )
            ],
            dtype=np.int64,
        )
        ticks = _rate_table(usage).ticks_per_unit  # 60 · 10^E: every price whole
        rates = usage.rates
        first = np.asarray([r.first_seconds for r in rates] + [1], dtype=np.int64)
        step = np.asarray([r.step_seconds for r in rates] + [1], dtype=np.int64)
        base = np.asarray(
            [int((r.connect_fee + r.first_period_price) * ticks) for r in rates] + [0],
            dtype=np.int64,
        )
        per_step = np.asarray(
            [int(r.rate_per_minute * r.step_seconds * ticks // 60) for r in rates] + [0],
            dtype=np.int64,
        )
        minimum = np.asarray([int(r.min_charge * ticks) for r in rates] + [0], dtype=np.int64)
        slot = key_slot[self.call_key]  # one rate a call
        rated = slot >= 0
        index = np.where(rated, slot, len(rates))
        seconds = self.call_seconds
        billable = rated & (seconds > 0)
        steps = np.where(
            billable, (np.maximum(seconds - first[index], 0) + step[index] - 1) // step[index], 0
        )
        charge = np.where(
            billable, np.maximum(base[index] + steps * per_step[index], minimum[index]), 0
        )
        billed = np.where(billable, first[index] + steps * step[index], np.where(rated, 0, seconds))
        call_line = self.key_line[self.call_key]
        n = len(self.lines)
        amounts = np.bincount(call_line, weights=charge, minlength=n)
        seconds_by_line = np.bincount(call_line, weights=billed, minlength=n)
        rated_seconds = np.bincount(call_line, weights=np.where(rated, billed, 0), minlength=n)
        calls_by_line = np.bincount(call_line, minlength=n)
        rated_by_line = np.bincount(call_line, weights=rated, minlength=n)
        free_slot = np.bincount(call_line, weights=slot == -1, minlength=n)
        unrated = np.bincount(call_line, weights=slot == -2, minlength=n)
        month = self.scale * volume
        present = [i for i in range(n) if calls_by_line[i]]
        before = {i: Decimal(int(amounts[i])) / ticks * month * price for i in present}
        after, drawn = dict(before), dict.fromkeys(present, Decimal(0))
        taken: set[int] = set()
        pools = []
        for pool in tariff.included_minutes:  # DESIGN.md: overage shared by minutes
            members = [
                i
                for i in present
                if i not in taken and rated_by_line[i] and _draws(pool.draws, self.lines[i])
            ]
            taken.update(members)
            minutes = {i: Decimal(int(rated_seconds[i])) / 60 * month for i in members}
            wanted = sum(minutes.values(), Decimal(0))
            included = pool.minutes * (seats if pool.per == "seat" else 1)
            covered = min(included, wanted)
            for i in members if wanted else ():
                drawn[i] = minutes[i] * covered / wanted
                after[i] = before[i] * (wanted - covered) / wanted
            pools.append(
                PoolUse(
                    name=pool.name,
                    minutes_included=included,
                    minutes_drawn=covered,
                    overage_minutes=wanted - covered,
                )
            )
        lines = []
        for i in present:
            direction, category, country = self.lines[i]
            status = "rated" if rated_by_line[i] else "free" if free_slot[i] else "no_rate"
            lines.append(
                UsageLine(
                    direction=direction,
                    category=category,
                    country=country,
                    status=status,
                    calls=Decimal(int(calls_by_line[i])) * month,
                    unrated_calls=Decimal(int(unrated[i])) * month,
                    billed_seconds=Decimal(int(seconds_by_line[i])) * month,
                    billed_minutes=Decimal(int(seconds_by_line[i])) / 60 * month,
                    rate_per_minute=None,
                    increment=None,
                    amount_before_pool=before[i],
                    pool_minutes=drawn[i],
                    amount=after[i],
                )
            )
        return UsageRating(
            tariff=tariff.name,
            currency=tariff.currency,
            month=None,
            scale=month,
            lines=lines,
            pools=pools,
            total=sum(after.values(), Decimal(0)),
        )


def _draws(rules: list[str], line: tuple[Direction, Category, str | None]) -> bool:
    for rule in rules:
        direction, category = parse_traffic(rule)
        if direction in (None, line[0]) and category in (None, line[1]):
            return True
    return False


@contextmanager
def rating_call_by_call(rater: PerCallRater) -> Iterator[None]:
    """Every rating the comparison asks for (the base month and each growth year or
    sensitivity step) done call by call, pools included."""
    namespace = vars(scenarios)
    real_rate, real_scale = namespace["rate_usage"], namespace["scale_usage"]

    def rate_usage(profile: object, tariff: Tariff, *, seats: int | None = None) -> UsageRating:
        return rater.rate(tariff, seats=seats or 1)

    def scale(
        base: UsageRating, tariff: Tariff, volume: Decimal, price: Decimal, seats: int
    ) -> UsageRating:
        return rater.rate(tariff, volume=volume, price=price, seats=seats)

    namespace.update(rate_usage=rate_usage, scale_usage=scale)
    try:
        yield
    finally:
        namespace.update(rate_usage=real_rate, scale_usage=real_scale)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def close(a: Any, b: Any) -> bool:
    """The same JSON, numbers equal to 1e-6 relative."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    tariffs = {p.stem: load_tariff(p) for p in (ROOT / "tariffs").glob("cn-*.yaml")}
    with tempfile.TemporaryDirectory() as directory:
        path = stored_profile(args.calls, Path(directory))
        text = path.read_text()
        profile = UsageProfile.model_validate_json(text)
    full = Scenario.model_validate(yaml.safe_load(SCENARIO))
    plain = full.model_copy(update={"sensitivity": False})
    rater = PerCallRater(profile)
    print(
        f"profile: {rater.calls:,} answered calls, "
        f"{len(profile.buckets.column('count')):,} histogram rows, "
        f"{len(text) / 1e6:.1f} MB of JSON; scenario: 3 alternatives, 60 months"
    )
    fast = json.loads(compare(full, profile, tariffs).model_dump_json())
    with rating_call_by_call(rater):
        slow = json.loads(compare(full, profile, tariffs).model_dump_json())
    if not close(fast, slow):
        raise SystemExit("the comparison differs when rated call by call")
    print("results: identical with rating call by call (to 1e-6)")

    load = median_ms(lambda: UsageProfile.model_validate_json(text), args.repeat)
    base = median_ms(lambda: compare(plain, profile, tariffs), args.repeat)
    prepared = prepare_profile(profile)
    warm = median_ms(lambda: compare(plain, prepared, tariffs), args.repeat)
    sensitive = median_ms(lambda: compare(full, profile, tariffs), args.repeat)
    with rating_call_by_call(rater):
        base_per_call = median_ms(
            lambda: compare(plain, profile, tariffs), max(3, args.repeat // 3)
        )
        sensitive_per_call = median_ms(
            lambda: compare(full, profile, tariffs), max(3, args.repeat // 3)
        )
    print(f"load the stored profile (JSON → model):      {load:8.1f} ms")
    print(f"comparison:                                  {base:8.1f} ms (target < 20 ms)")
    print(f"comparison, profile prepared once (warm):    {warm:8.1f} ms")
    print(f"comparison with full sensitivity:            {sensitive:8.1f} ms (target < 200 ms)")
    print(f"baseline, rated call by call:                {base_per_call:8.1f} ms")
    print(f"baseline with full sensitivity, call by call: {sensitive_per_call:7.1f} ms")
    print(
        f"ratio: {base_per_call / base:6.1f}× faster; "
        f"with sensitivity {sensitive_per_call / sensitive:6.1f}×"
    )


if __name__ == "__main__":
    main()
