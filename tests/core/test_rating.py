"""Rating: hand-worked examples, a brute-force per-call oracle (hypothesis), the sample bill."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import rating
from app.core.profile import AnalysisOptions, analyze_files
from app.core.rating import (
    Component,
    Quantities,
    RateCardEntry,
    prepare_profile,
    price_tariff,
    rate_card_rating,
    rate_months,
    rate_period,
    rate_usage,
    reconcile,
)
from app.core.tariffs import Tariff, load_tariff, parse_tariff, tariff_paths
from app.core.usage import (
    BucketKey,
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

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "samples"


# ------------------------------------------------------------------ profiles from call lists


@dataclass(frozen=True)
class Call:
    """One answered call as the profile builder would see it (no phone number)."""

    direction: str
    category: str
    country: str | None
    prefix: str | None
    start: datetime
    seconds: int
    cost: Decimal | None = None


MONDAY = datetime(2026, 9, 7)  # a Monday


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def profile_of(calls: list[Call], days: float = 30.0, **extra: object) -> UsageProfile:
    """A usage profile built straight from calls: buckets and per-category histograms."""
    keys: dict[tuple[object, ...], int] = {}
    bucket_keys: list[BucketKey] = []
    cells: Counter[tuple[int, int]] = Counter()
    categories: dict[tuple[str, str, str | None], list[Call]] = {}
    for call in calls:
        key = BucketKey(
            direction=Direction(call.direction),
            category=Category(call.category),
            country=call.country,
            prefix=call.prefix,
            hour_of_week=call.start.weekday() * 24 + call.start.hour,
            month=call.start.strftime("%Y-%m"),
        )
        index = keys.setdefault(tuple(key.model_dump().values()), len(keys))
        if index == len(bucket_keys):
            bucket_keys.append(key)
        cells[(index, call.seconds)] += 1
        categories.setdefault((call.direction, call.category, call.country), []).append(call)
    usages = [
        CategoryUsage(
            direction=Direction(direction),
            category=Category(category),
            country=country,
            calls=len(group),
            answered_calls=len(group),
            billable_seconds=sum(c.seconds for c in group),
            billed_cost=(
                sum((c.cost for c in group if c.cost is not None), Decimal(0))
                if any(c.cost is not None for c in group)
                else None
            ),
            duration_histogram={
                str(d): n for d, n in sorted(Counter(c.seconds for c in group).items())
            },
        )
        for (direction, category, country), group in categories.items()
    ]
    fields: dict[str, object] = {
        "period": Period(start="", end="", days=days),
        "rows": RowCounts(read=len(calls), used=len(calls), skipped=0),
        "totals": Totals(
            calls=len(calls),
            answered_calls=len(calls),
            billable_seconds=sum(c.seconds for c in calls),
        ),
        "categories": usages,
        "busy_hour_erlangs": 1.0,
        "peak_concurrent_calls": 3,
        "recommended_channels": RecommendedChannels(gos=0.01, channels=5),
        "distinct_extensions": 10,
        "distinct_dids": 4,
        "buckets": DurationBuckets(
            keys=bucket_keys,
            key=[k for k, _ in cells],
            duration=[d for _, d in cells],
            count=list(cells.values()),
        ),
    }
    fields.update(extra)
    return UsageProfile.model_validate(fields)


def tariff(rates: str, extra: str = "", currency: str = "CNY") -> Tariff:
    text = f"name: test\nkind: pstn\ncurrency: {currency}\n{extra}\nusage:\n  rates:\n{rates}"
    return parse_tariff(text, "test.yaml")


def outbound(category: str, *seconds: int, start: datetime | None = None) -> list[Call]:
    return [Call("outbound", category, "CN", None, start or at(10), s) for s in seconds]


def total(calls: list[Call], rates: str, extra: str = "") -> Decimal:
    rating = rate_usage(profile_of(calls), tariff(rates, extra), month="2026-09")
    return rating.total


# ----------------------------------------------------------------------- hand-worked examples


def test_60_60_bills_whole_minutes() -> None:
    # 1 s → 60 s, 60 s → 60 s, 61 s → 120 s, 125 s → 180 s: 7 minutes at 0.10 = 0.70
    calls = outbound("local", 1, 60, 61, 125)
    rating = rate_usage(
        profile_of(calls),
        tariff("    - {category: local, increment: 60/60, rate_per_minute: 0.10}"),
        month="2026-09",
    )
    (line,) = rating.lines
    assert line.billed_seconds == 420
    assert line.calls == 4
    assert rating.total == Decimal("0.70")


def test_30_6_first_half_minute_then_six_second_steps() -> None:
    # at 0.12/min: 1 s → 30 s = 0.06; 30 s → 0.06; 31 s → 36 s = 0.072;
    # 65 s → 30 + ceil(35/6)·6 = 66 s = 0.132; total 0.324
    calls = outbound("international", 1, 30, 31, 65)
    rates = "    - {category: international, increment: 30/6, rate_per_minute: 0.12}"
    assert total(calls, rates) == Decimal("0.324")


def test_6_6() -> None:
    # at 0.009/min: 1 s → 6 s = 0.0009; 7 s → 12 s = 0.0018; 60 s = 0.009; total 0.0117
    rates = "    - {category: national, increment: 6/6, rate_per_minute: 0.009}"
    assert total(outbound("national", 1, 7, 60), rates) == Decimal("0.0117")


def test_1_1_per_second() -> None:
    # at 0.60/min = 0.01/s: 59 s = 0.59; 61 s = 0.61
    rates = "    - {category: mobile, increment: 1/1, rate_per_minute: 0.60}"
    assert total(outbound("mobile", 59, 61), rates) == Decimal("1.20")


def test_first_period_price_chinese_local_tariff() -> None:
    # 0.22 for the first 3 minutes, then 0.11 a minute:
    # 100 s = 0.22; 180 s = 0.22; 181 s = 0.22 + 0.11 = 0.33; 400 s = 0.22 + 4·0.11 = 0.66
    rates = "    - {category: local, increment: 180/60, first_price: 0.22, rate_per_minute: 0.11}"
    assert total(outbound("local", 100, 180, 181, 400), rates) == Decimal("1.43")


def test_connect_fee_and_zero_seconds_not_billed() -> None:
    # 0.05 a call + 0.10/min at 60/60: 30 s = 0.15; 90 s = 0.25; 0 s is not billed
    rates = "    - {category: local, increment: 60/60, rate_per_minute: 0.10, connect_fee: 0.05}"
    assert total(outbound("local", 30, 90, 0), rates) == Decimal("0.40")


def test_minimum_charge_per_call() -> None:
    # 0.60/min at 6/6, at least 0.25 a call: 6 s = 0.06 → 0.25; 30 s = 0.30
    rates = "    - {category: mobile, increment: 6/6, rate_per_minute: 0.60, min_charge: 0.25}"
    assert total(outbound("mobile", 6, 30), rates) == Decimal("0.55")


def test_time_band_by_start_hour() -> None:
    # national 0.70/min by day, 0.35/min 00:00–07:00 (6/6); a call is rated by its start:
    # Mon 06:59 for 60 s = 0.35; Mon 06:30 for 120 s (ends after 07:00) = 0.70;
    # Mon 07:00 for 60 s = 0.70; Sun 23:00 for 60 s (no band: day rate) = 0.70
    calls = [
        Call("outbound", "national", "CN", None, at(6, 59), 60),
        Call("outbound", "national", "CN", None, at(6, 30), 120),
        Call("outbound", "national", "CN", None, at(7, 0), 60),
        Call("outbound", "national", "CN", None, at(23, 0, day=6), 60),
    ]
    rates = (
        "    - {category: national, increment: 6/6, rate_per_minute: 0.70}\n"
        "    - {category: national, band: night, increment: 6/6, rate_per_minute: 0.35}\n"
        "  time_bands:\n"
        "    night: [{days: [mon, tue, wed, thu, fri, sat, sun], from_hour: 0, to_hour: 7}]\n"
    )
    assert total(calls, rates) == Decimal("2.45")


def test_longest_prefix_wins() -> None:
    # GB 3.60, +44 7 (mobiles) 4.80, +44 79 5.00, rest of the world 8.00; one minute each:
    # +44 2079 → 3.60; +44 7911 → 5.00; +44 7700 → 4.80; +33 6123 → 8.00; total 21.40
    calls = [
        Call("outbound", "international", "GB", "+44 2079", at(10), 60),
        Call("outbound", "international", "GB", "+44 7911", at(10), 60),
        Call("outbound", "international", "GB", "+44 7700", at(10), 60),
        Call("outbound", "international", "FR", "+33 6123", at(10), 60),
    ]
    rates = (
        "    - {category: international, rate_per_minute: 8.00}\n"
        "    - {category: international, country: GB, rate_per_minute: 3.60}\n"
        "    - {category: international, prefix: '+44 7', rate_per_minute: 4.80}\n"
        "    - {category: international, prefix: '+4479', rate_per_minute: 5.00}\n"
    )
    assert total(calls, rates) == Decimal("21.40")


def pool_calls() -> list[Call]:
    # 60 local calls of 1 minute early in September, then 40 national calls of 2 minutes
    early = [Call("outbound", "local", "CN", None, at(9, day=-5), 60)] * 60
    late = [Call("outbound", "national", "CN", None, at(15, day=15), 120)] * 40
    return early + late


POOL_RATES = (
    "    - {category: local, increment: 60/60, rate_per_minute: 0.02}\n"
    "    - {category: national, increment: 60/60, rate_per_minute: 0.05}\n"
)


def test_pool_that_runs_out_mid_month() -> None:
    # 100 included minutes; 60 local + 80 national = 140 billed minutes: 40 over.
    # Overage shared in proportion: local 40·60/140 min at 0.02, national 40·80/140 at 0.05
    # = (60·0.02 + 80·0.05) · 40/140 = 5.20 · 2/7 = 1.485714…
    pool = (
        "included_minutes:\n"
        "  - {name: bundle, minutes: 100, per: account,"
        " draws: [outbound/local, outbound/national]}\n"
    )
    rating = rate_usage(profile_of(pool_calls()), tariff(POOL_RATES, pool), month="2026-09")
    local, national = rating.lines
    assert abs(rating.total - Decimal("10.4") / 7) < Decimal("1e-20")
    assert abs(local.pool_minutes - Decimal(6000) / 140) < Decimal("1e-20")
    assert abs(national.pool_minutes - Decimal(8000) / 140) < Decimal("1e-20")
    assert local.amount_before_pool == Decimal("1.20")
    assert rating.pools[0].minutes_drawn == 100
    assert rating.pools[0].overage_minutes == 40


def test_pool_per_seat_that_covers_everything() -> None:
    # 2 seats × 75 minutes = 150 ≥ 140: nothing to pay
    pool = "included_minutes:\n  - {name: bundle, minutes: 75, per: seat, draws: ['outbound/*']}\n"
    rating = rate_usage(
        profile_of(pool_calls()), tariff(POOL_RATES, pool), month="2026-09", seats=2
    )
    assert rating.total == 0
    assert rating.pools[0].minutes_drawn == 140


def test_average_month_scales_by_30_4375_over_days() -> None:
    # 0.70 over a 30-day profile → 0.70 · 30.4375 / 30 = 0.71020833…
    calls = outbound("local", 1, 60, 61, 125)
    rating = rate_usage(
        profile_of(calls, days=30.0),
        tariff("    - {category: local, increment: 60/60, rate_per_minute: 0.10}"),
    )
    assert abs(rating.total - Decimal("0.70") * Decimal("30.4375") / 30) < Decimal("1e-20")
    assert rating.month is None


def test_rounding_per_call_and_on_the_total() -> None:
    # three 1-second calls at 0.009/min, 6/6: 0.0009 each.
    # Rounded up per call to cents: 3 × 0.01 = 0.03; half-up on the line total: 0.0027 → 0.00
    calls = outbound("local", 1, 1, 1)
    rates = "    - {category: local, increment: 6/6, rate_per_minute: 0.009}\n"
    per_call = "  rounding: {per: call, decimals: 2, mode: up}\n"
    on_total = "  rounding: {per: total, decimals: 2, mode: half_up}\n"
    assert total(calls, rates + per_call) == Decimal("0.03")
    assert total(calls, rates + on_total) == Decimal("0.00")


def test_free_categories_and_priced_inbound_toll_free() -> None:
    # inbound calls are free except to the client's own toll-free number (0.03/min, 60/60):
    # 90 s → 2 min = 0.06; an outbound national call with no rate is flagged, not charged
    calls = [
        Call("inbound", "mobile", "CN", None, at(10), 300),
        Call("inbound", "toll_free", "CN", None, at(10), 90),
        Call("outbound", "national", "CN", None, at(10), 60),
    ]
    rates = (
        "    - {direction: inbound, category: toll_free, rate_per_minute: 0.03}\n"
        "  free_categories: ['inbound/*']\n"
    )
    rating = rate_usage(profile_of(calls), tariff(rates), month="2026-09")
    by_key = {(line.direction, line.category): line for line in rating.lines}
    assert by_key[("inbound", "mobile")].status == "free"
    assert by_key[("inbound", "toll_free")].amount == Decimal("0.06")
    assert by_key[("outbound", "national")].status == "no_rate"
    assert by_key[("outbound", "national")].unrated_calls == 1
    assert rating.total == Decimal("0.06")


def test_calendar_months_and_the_period() -> None:
    # one 60 s local call in August and two in September at 0.10/min
    calls = [
        Call("outbound", "local", "CN", None, datetime(2026, 8, 31, 10), 60),
        Call("outbound", "local", "CN", None, datetime(2026, 9, 1, 10), 60),
        Call("outbound", "local", "CN", None, datetime(2026, 9, 2, 10), 60),
    ]
    t = tariff("    - {category: local, rate_per_minute: 0.10}")
    prepared = prepare_profile(profile_of(calls, days=3))
    months = rate_months(prepared, t)
    assert [(m.month, m.total) for m in months] == [
        ("2026-08", Decimal("0.10")),
        ("2026-09", Decimal("0.20")),
    ]
    assert rate_period(prepared, t).total == Decimal("0.30")


def test_rate_card_json_shape() -> None:
    # CONTRACT.md: a rate with a country before one without; unmatched calls are free
    calls = [
        Call("outbound", "international", "US", "+1 2125", at(10), 31),
        Call("outbound", "international", "GB", "+44 2079", at(10), 60),
        Call("outbound", "local", "CN", None, at(10), 60),
    ]
    rates = [
        RateCardEntry.model_validate(
            {
                "direction": "outbound",
                "category": "international",
                "country": "US",
                "increment": "30/6",
                "rate_per_minute": 0.12,
            }
        ),
        RateCardEntry.model_validate(
            {"direction": "outbound", "category": "international", "rate_per_minute": 1.0}
        ),
    ]
    answer = rate_card_rating(profile_of(calls), rates, currency="CNY")
    assert set(answer) == {"currency", "usage", "usage_total"}
    assert answer["currency"] == "CNY"
    us = next(u for u in answer["usage"] if u["country"] == "US")
    # 31 s at 30/6 → 36 s at 0.12/min = 0.072
    assert (us["calls"], us["billed_seconds"], us["amount"]) == (1, 36, 0.072)
    gb = next(u for u in answer["usage"] if u["country"] == "GB")
    assert gb["amount"] == 1.0
    local = next(u for u in answer["usage"] if u["category"] == "local")
    assert local["amount"] == 0 and local["rated"] is False and "no rate" in local["note"]
    assert answer["usage_total"] == 1.072
    assert {"direction", "category", "country", "calls", "billed_seconds", "amount"} <= set(us)


def test_profile_without_buckets_rates_from_category_histograms() -> None:
    calls = outbound("local", 1, 60, 61, 125)
    profile = profile_of(calls).model_copy(update={"buckets": DurationBuckets()})
    t = tariff("    - {category: local, increment: 60/60, rate_per_minute: 0.10}")
    assert rate_period(profile, t).total == Decimal("0.70")


def test_empty_profile_and_unknown_month() -> None:
    t = tariff("    - {category: local, rate_per_minute: 0.10}")
    empty = rate_usage(profile_of([]), t)
    assert (empty.total, empty.lines) == (0, [])
    with pytest.raises(ValueError, match="no calls in month '2027-01'"):
        rate_usage(profile_of(outbound("local", 60)), t, month="2027-01")
    with pytest.raises(ValueError, match="covers no days"):
        rate_usage(profile_of(outbound("local", 60), days=0), t)


# ------------------------------------------------------------------------- line items


def test_price_tariff_line_items() -> None:
    # the shipped CN on-prem IP-PBX for 40 seats on one site:
    # appliance 28,000 + gateway 2,600 (per site); licences 40 × 150 = 6,000;
    # phones 40 × 450 = 18,000. Maintenance 15 %/year of 54,600 = 682.50 a month after 12.
    onprem = load_tariff(ROOT / "tariffs" / "cn-onprem-ippbx.yaml")
    profile = profile_of(outbound("local", 60))
    items = price_tariff(onprem, Quantities.from_profile(profile, seats=40), None)
    by_name = {item.name: item for item in items}
    assert by_name["extension licence"].amount == 6000
    assert by_name["extension licence"].component is Component.LICENCES
    assert by_name["IP desk phone"].lifetime_months == 60
    maintenance = next(i for i in items if i.component is Component.MAINTENANCE)
    assert maintenance.amount == Decimal("682.50")
    assert maintenance.starts_after_months == 12
    labour = next(i for i in items if i.component is Component.LABOUR)
    assert labour.amount == 800
    # power: 150 W × 24 h × 30.4375 days = 109.575 kWh at 1.00
    assert by_name["power"].amount == Decimal("109.575")
    rented = price_tariff(
        onprem, Quantities.from_profile(profile, seats=40), None, rent_equipment=True
    )
    phones = next(i for i in rented if i.name.startswith("IP desk phone"))
    assert (phones.recurrence, phones.amount) == ("monthly", Decimal(600))


def test_channels_in_blocks_taxes_and_commitment() -> None:
    # US PRI: 5 recommended channels → one PRI (23) at 495; 4 DIDs → a block of 20 at 0.75
    # = 15.00; SLC 1.10 and 911 1.00 per channel (5). Usage here is nil, so USF 36 % of
    # 510.00 = 183.60 and state taxes 8.875 % of 510.00 = 45.2625.
    pri = load_tariff(ROOT / "tariffs" / "us-pstn-pri.yaml")
    profile = profile_of([])
    usage = rate_usage(profile, pri) if profile.buckets.keys else None
    items = price_tariff(pri, Quantities.from_profile(profile, seats=10), usage)
    by_name = {item.name: item for item in items}
    circuit = by_name["PRI circuit (23 B channels)"]
    assert (circuit.quantity, circuit.amount, circuit.component) == (1, 495, Component.CHANNELS)
    assert "block" in circuit.quantity_source
    assert by_name["DID numbers (blocks of 20)"].amount == Decimal("15.00")
    assert by_name["Federal Universal Service Fund"].amount == Decimal("183.60")
    assert by_name["state and local taxes"].amount == Decimal("45.2625")
    assert by_name["Federal subscriber line charge"].amount == Decimal("5.50")
    sip = load_tariff(ROOT / "tariffs" / "cn-sip-trunk.yaml")
    # CN SIP: 5 channels → a block of 10 at 40 = 400 + 4 DIDs × 10 + access 800 ≥ 300: no top-up
    sip_items = price_tariff(sip, Quantities.from_profile(profile, seats=10), None)
    assert not [i for i in sip_items if i.kind == "commitment"]
    assert next(i for i in sip_items if i.name == "SIP channels").amount == 400


def test_commitment_shortfall() -> None:
    # recurring 10.00, usage 0.70 against a 25.00 minimum: a 14.30 top-up
    extra = "recurring: [{name: line, price: 10}]\ncontract: {minimum_monthly_commitment: 25}\n"
    t = tariff("    - {category: local, increment: 60/60, rate_per_minute: 0.10}", extra)
    profile = profile_of(outbound("local", 1, 60, 61, 125))
    usage = rate_usage(profile, t, month="2026-09")
    items = price_tariff(t, Quantities.from_profile(profile), usage)
    (shortfall,) = [i for i in items if i.kind == "commitment"]
    assert shortfall.amount == Decimal("14.30")


# ------------------------------------------------------------ the sample carrier bill (real)


SAMPLE_RATES = (
    "    - {category: local, rate_per_minute: 0.10}\n"
    "    - {category: mobile, rate_per_minute: MOBILE}\n"
    "    - {category: national, rate_per_minute: 0.30}\n"
    "    - {category: shared_cost, rate_per_minute: 0.12}\n"
    "    - {category: international, rate_per_minute: 2.40}\n"
    "  free_categories: ['inbound/*', 'outbound/toll_free']\n"
)


def sample_profile(name: str, country: str, area_code: str) -> UsageProfile:
    path = SAMPLES / name
    options = AnalysisOptions(country=country, area_codes=[area_code])
    return analyze_files([(name, path.read_bytes())], options)


def test_rating_matches_the_shanghai_carrier_call_by_call() -> None:
    # The sample carrier bill prices every call itself, 60/60: local 0.10, mobile 0.15,
    # national 0.30, 400 numbers 0.12, international 2.40, 800 numbers free. Rating the
    # profile (built by the real pipeline) under that tariff gives, per category, exactly
    # the sum of the bill's own per-call charges (expected/*.json's billed_cost).
    profile = sample_profile("carrier-itemized-shanghai.csv", "CN", "21")
    expected = json.loads((SAMPLES / "expected" / "carrier-itemized-shanghai.json").read_text())
    result = reconcile(profile, tariff(SAMPLE_RATES.replace("MOBILE", "0.15")))
    assert result.findings == []
    for line in result.lines:
        want = Decimal(
            str(expected["categories"][f"{line.direction}/{line.category}"]["billed_cost"])
        )
        assert line.rated == line.billed_cost == want
    assert result.rated_total == Decimal("588.92")
    # with mobile at 0.12 instead, mobile (742 billed minutes: 89.04 against 111.30, −20 %)
    # is the one finding
    wrong = reconcile(profile, tariff(SAMPLE_RATES.replace("MOBILE", "0.12")))
    lines = {(line.direction, line.category): line for line in wrong.lines}
    mobile = lines[("outbound", "mobile")]
    assert (mobile.rated, mobile.billed_cost) == (Decimal("89.04"), Decimal("111.30"))
    assert [k for k, line in lines.items() if not line.within_tolerance] == [("outbound", "mobile")]
    assert len(wrong.findings) == 1 and "overcharging" in wrong.findings[0]


def test_shipped_us_pri_reconciles_with_the_new_york_bill() -> None:
    # the New York sample bill charges 60/60: local 0.10, national 0.30, international 2.40
    # — the shipped incumbent PRI example's rates: every category matches to the cent
    profile = sample_profile("carrier-itemized-newyork.csv", "US", "212")
    result = reconcile(profile, load_tariff(ROOT / "tariffs" / "us-pstn-pri.yaml"))
    assert result.findings == []
    assert result.billed_total == result.rated_total == Decimal("471.80")


def test_reconciliation_refuses_mixed_currencies() -> None:
    profile = profile_of(outbound("local", 60), currency="USD")
    with pytest.raises(ValueError, match="exchange rate"):
        reconcile(profile, tariff("    - {category: local, rate_per_minute: 0.10}"))


# ------------------------------------------------------ property: histogram == per call


def _match(t: Tariff, call: Call) -> int | None:
    """Brute force: the most specific rate for one call (longest prefix, country, band)."""
    hour = call.start.weekday() * 24 + call.start.hour
    bands = {name: set() for name in t.usage.time_bands}
    for name, windows in t.usage.time_bands.items():
        for window in windows:
            for day in window.days:
                index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(day)
                bands[name] |= {24 * index + h for h in range(window.from_hour, window.to_hour)}
    best, best_rank = None, None
    for index, rate in enumerate(t.usage.rates):
        if rate.direction != call.direction or rate.category != call.category:
            continue
        if rate.country is not None and rate.country != call.country:
            continue
        if rate.prefix is not None:
            cc, _, national = rate.prefix[1:].partition(" ")
            if call.prefix is None:
                continue
            call_cc, _, call_national = call.prefix[1:].partition(" ")
            if cc != call_cc or not call_national.startswith(national):
                continue
        if rate.band is not None and hour not in bands[rate.band]:
            continue
        rank = (
            len(rate.prefix or "") - (1 if rate.prefix and " " in rate.prefix else 0),
            rate.country is not None,
            rate.band is not None,
        )
        if best_rank is None or rank > best_rank:
            best, best_rank = index, rank
    return best


def _round(value: Fraction, decimals: int, mode: str) -> Fraction:
    scaled = value * 10**decimals
    floor = math.floor(scaled)
    rest = scaled - floor
    if mode == "down":
        result = floor
    elif mode == "up":
        result = floor + (rest > 0)
    elif mode == "half_up":
        result = floor + (rest >= Fraction(1, 2))
    else:
        result = floor + (rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1))
    return Fraction(result, 10**decimals)


def brute_force(t: Tariff, calls: list[Call], scale: Fraction = Fraction(1)) -> Fraction:
    """Rate every call one by one (DESIGN.md's formula), then pools and total rounding."""
    amounts: Counter[tuple[str, str, str | None]] = Counter()
    minutes: Counter[tuple[str, str, str | None]] = Counter()
    rounding = t.usage.rounding
    for call in calls:
        index = _match(t, call)
        line = (call.direction, call.category, call.country)
        amounts[line] += 0
        if index is None or call.seconds == 0:
            continue
        rate = t.usage.rates[index]
        a, b = (int(x) for x in rate.increment.split("/"))
        steps = -(-max(0, call.seconds - a) // b)
        first = (
            Fraction(rate.first_price)
            if rate.first_price is not None
            else Fraction(a, 60) * Fraction(rate.rate_per_minute)
        )
        charge = (
            Fraction(rate.connect_fee)
            + first
            + Fraction(steps * b, 60) * Fraction(rate.rate_per_minute)
        )
        charge = max(charge, Fraction(rate.min_charge))
        if rounding is not None and rounding.per == "call":
            charge = _round(charge, rounding.decimals, rounding.mode)
        amounts[line] += charge
        minutes[line] += Fraction(a + steps * b, 60)
    lines = {line: amount * scale for line, amount in amounts.items()}
    for pool in t.included_minutes:
        members = [line for line in lines if minutes[line] and f"{line[0]}/{line[1]}" in pool.draws]
        wanted = sum((minutes[line] * scale for line in members), Fraction(0))
        if wanted:
            over = max(Fraction(0), wanted - Fraction(pool.minutes)) / wanted
            for line in members:
                lines[line] *= over
    if rounding is not None and rounding.per == "total":
        lines = {k: _round(v, rounding.decimals, rounding.mode) for k, v in lines.items()}
    return sum(lines.values(), Fraction(0))


PREFIXES = {
    "CN": ["+86 2163", "+86 1381", "+86 1010"],
    "GB": ["+44 7911", "+44 2079"],
    "US": ["+1 2125", "+1 6465"],
}
TARIFF_PREFIXES = ["+86", "+86 1", "+86 138", "+44 7", "+44 79", "+1 212"]
INCREMENTS = ["60/60", "30/6", "6/6", "1/1", "180/60", "30/30", "1/6"]
DIRECTION_CATEGORIES = [
    ("outbound", "local"),
    ("outbound", "mobile"),
    ("outbound", "international"),
    ("inbound", "toll_free"),
]

money = st.decimals(min_value=0, max_value=5, places=3, allow_nan=False, allow_infinity=False)


@st.composite
def calls_strategy(draw: st.DrawFn) -> list[Call]:
    calls = []
    for _ in range(draw(st.integers(1, 60))):
        direction, category = draw(st.sampled_from(DIRECTION_CATEGORIES))
        country = draw(st.sampled_from(sorted(PREFIXES)))
        prefix = draw(st.sampled_from([*PREFIXES[country], None]))
        start = datetime(2026, 9, 1) + timedelta(hours=draw(st.integers(0, 24 * 45)))
        seconds = draw(st.one_of(st.integers(0, 400), st.integers(0, 5000)))
        calls.append(Call(direction, category, country, prefix, start, seconds))
    return calls


@st.composite
def tariff_strategy(draw: st.DrawFn) -> Tariff:
    rates, seen = [], set()
    for _ in range(draw(st.integers(1, 8))):
        direction, category = draw(st.sampled_from(DIRECTION_CATEGORIES))
        rate: dict[str, object] = {
            "direction": direction,
            "category": category,
            "increment": draw(st.sampled_from(INCREMENTS)),
            "rate_per_minute": draw(money),
        }
        if draw(st.booleans()):
            rate["country"] = draw(st.sampled_from(sorted(PREFIXES)))
        if draw(st.booleans()):
            rate["prefix"] = draw(st.sampled_from(TARIFF_PREFIXES))
            rate["country"] = {"+86": "CN", "+44": "GB", "+1 ": "US"}.get(rate["prefix"][:3], "US")
        if draw(st.booleans()):
            rate["band"] = draw(st.sampled_from(["day", "night"]))
        if draw(st.booleans()):
            rate["first_price"] = draw(money)
        if draw(st.booleans()):
            rate["connect_fee"] = draw(money)
        if draw(st.booleans()):
            rate["min_charge"] = draw(money)
        key = tuple(rate.get(k) for k in ("direction", "category", "country", "prefix", "band"))
        if key not in seen:
            seen.add(key)
            rates.append(rate)
    usage: dict[str, object] = {
        "rates": rates,
        "time_bands": {
            "day": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from_hour": 8, "to_hour": 18}],
            "night": [{"days": ["sat", "sun"], "from_hour": 0, "to_hour": 24}],
        },
    }
    if draw(st.booleans()):
        usage["rounding"] = {
            "per": draw(st.sampled_from(["call", "total"])),
            "decimals": draw(st.integers(0, 4)),
            "mode": draw(st.sampled_from(["half_up", "half_even", "up", "down"])),
        }
    data: dict[str, object] = {
        "name": "generated",
        "kind": "sip_trunk",
        "currency": "CNY",
        "usage": usage,
    }
    if draw(st.booleans()):
        data["included_minutes"] = [
            {
                "name": "pool",
                "minutes": draw(st.integers(0, 300)),
                "per": "account",
                "draws": ["outbound/local", "outbound/mobile"],
            }
        ]
    return Tariff.model_validate(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=calls_strategy(), t=tariff_strategy())
def test_histogram_rating_equals_rating_each_call(calls: list[Call], t: Tariff) -> None:
    prepared = prepare_profile(profile_of(calls, days=45.0))
    for month in ("2026-09", "2026-10"):
        in_month = [c for c in calls if c.start.strftime("%Y-%m") == month]
        if not in_month:
            continue
        rated = rate_usage(prepared, t, month=month)
        expected = brute_force(t, in_month)
        assert abs(Fraction(rated.total) - expected) < Fraction(1, 10**18)
        assert round(rated.total, 2) == round(Decimal(expected.numerator) / expected.denominator, 2)
    average = rate_usage(prepared, t)  # the whole profile scaled to 30.4375 / 45 days
    expected = brute_force(t, calls, Fraction(304375, 10000) / 45)
    assert abs(Fraction(average.total) - expected) < Fraction(1, 10**18)


def without_histograms(profile: UsageProfile) -> UsageProfile:
    """The same profile with its categories' histograms emptied: rating must sum the buckets."""
    categories = [c.model_copy(update={"duration_histogram": {}}) for c in profile.categories]
    return profile.model_copy(update={"categories": categories})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=calls_strategy(), t=tariff_strategy())
def test_average_month_from_histograms_equals_from_buckets(calls: list[Call], t: Tariff) -> None:
    # Fresh prepared profiles, the average month rated first: from the categories'
    # histograms (with only the prefix/band lines read from the buckets), and from the
    # buckets alone; both equal the brute-force rating of every call.
    profile = profile_of(calls, days=45.0)
    from_histograms = rate_usage(prepare_profile(profile), t)
    from_buckets = rate_usage(prepare_profile(without_histograms(profile)), t)
    assert from_histograms == from_buckets
    expected = brute_force(t, calls, Fraction(304375, 10000) / 45)
    assert abs(Fraction(from_histograms.total) - expected) < Fraction(1, 10**18)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=calls_strategy(), t=tariff_strategy())
def test_splits_by_hour_or_prefix_windows_equal_rating_each_call(
    calls: list[Call], t: Tariff
) -> None:
    # Small profiles split a line priced by band or prefix from its bucket rows (the other
    # tests); allowed any size, the line's calls summed by hour or prefix are split by
    # windows of one rate instead: the same amounts, month and average.
    with mock.patch.object(rating, "_UNIT_CELLS_PER_ROW", 10**9):
        prepared = prepare_profile(profile_of(calls, days=45.0))
        for month in ("2026-09", "2026-10"):
            in_month = [c for c in calls if c.start.strftime("%Y-%m") == month]
            if in_month:
                rated = rate_usage(prepared, t, month=month)
                assert abs(Fraction(rated.total) - brute_force(t, in_month)) < Fraction(1, 10**18)
        average = rate_usage(prepared, t)
    expected = brute_force(t, calls, Fraction(304375, 10000) / 45)
    assert abs(Fraction(average.total) - expected) < Fraction(1, 10**18)


def test_a_runs_billed_steps_are_a_strided_sum_of_its_tail_counts() -> None:
    # Calls of 0, 5, 30, 31 and 95 s. tail[x] = calls longer than x s: tail[0] = 4,
    # tail[5] = 3, tail[30] = 2, tail[31..94] = 1, tail[95] = 0. Under 30/6 (a = 30,
    # b = 6): steps = ceil(max(0, d − 30)/6) = 0, 0, 0, 1, 11 → 12 in all, and
    # Σ_j tail[30 + 6j] = tail[30] + tail[36] + … + tail[90] = 2 + 10 × 1 = 12.
    traffic = rating._Traffic.of(np.asarray([0, 5, 30, 31, 95]), np.ones(5, dtype=np.int64))
    assert traffic.calls == 5
    assert [int(traffic.tail[x]) for x in (0, 5, 30, 31, 94, 95)] == [4, 3, 2, 1, 1, 0]
    assert int(traffic.tail[30::6].sum()) == 0 + 0 + 0 + 1 + 11
    # Billed: the four calls over 0 s take 30 s each, plus 12 steps of 6 s = 192 s.
    t = tariff("    - {category: local, increment: 30/6, rate_per_minute: 0.60}")
    calls = [Call("outbound", "local", "CN", None, at(10), d) for d in (0, 5, 30, 31, 95)]
    line = rate_usage(profile_of(calls), t, month="2026-09").lines[0]
    assert line.billed_seconds == 4 * 30 + 12 * 6
    # 0.60 a minute is 0.06 per 6 s: 4 × 0.30 (first 30 s) + 12 × 0.06 = 1.92.
    assert line.amount == Decimal("1.92")


def test_buckets_in_any_order_rate_the_same() -> None:
    # The profile builder writes buckets sorted by (line, month, hour, prefix), which the
    # rating index takes as they are; the same buckets reversed must be sorted first and
    # give the same amounts, for the average month and each calendar month.
    profile = sample_profile("carrier-itemized-shanghai.csv", "CN", "21")
    buckets = profile.buckets
    n_keys = len(buckets.column("key_line"))
    reordered = buckets.model_copy(
        update={
            **{
                name: pack(buckets.column(name)[::-1])
                for name in ("key_line", "key_prefix", "key_hour", "key_month", "duration", "count")
            },
            "key": pack(n_keys - 1 - buckets.column("key")[::-1]),
        }
    )
    shuffled = profile.model_copy(update={"buckets": reordered})
    assert sorted(map(tuple, shuffled.buckets.keys), key=str) == sorted(
        map(tuple, profile.buckets.keys), key=str
    )
    banded = tariff(
        "    - {category: mobile, increment: 6/6, rate_per_minute: 0.15}\n"
        "    - {category: mobile, band: night, increment: 6/6, rate_per_minute: 0.05}\n"
        "    - {category: mobile, prefix: '+86 139', increment: 6/6, rate_per_minute: 0.20}\n"
        "    - {category: local, increment: 60/60, rate_per_minute: 0.10}\n"
        "  time_bands:\n"
        "    night: [{days: [mon, tue, wed, thu, fri], from_hour: 0, to_hour: 8}]\n"
    )
    assert rate_usage(shuffled, banded) == rate_usage(profile, banded)
    assert rate_months(shuffled, banded) == rate_months(profile, banded)


def test_built_profile_rates_its_average_month_from_the_histograms() -> None:
    # The real pipeline's histograms account for every answered call: a flat tariff
    # rates the average month from them alone, as the buckets would.
    profile = sample_profile("carrier-itemized-shanghai.csv", "CN", "21")
    t = tariff(SAMPLE_RATES.replace("MOBILE", "0.15"))
    prepared = prepare_profile(profile)
    rating = rate_usage(prepared, t)
    assert "index" not in vars(prepared)
    assert rating == rate_usage(without_histograms(profile), t)
    # the bill's own charges (588.92, see above) scaled from its days to 30.4375
    scale = Fraction(304375, 10000) / Fraction(str(profile.period.days))
    assert abs(Fraction(rating.total) - Fraction("588.92") * scale) < Fraction(1, 10**20)


def test_flat_tariff_reads_no_bucket() -> None:
    # A tariff with neither prefix nor band rates prices the average month from the
    # histograms: the buckets are never indexed. A banded rate makes rating read them.
    calls = outbound("local", 60, 61, 125) + outbound("national", 30, start=at(3))
    prepared = prepare_profile(profile_of(calls, days=30.4375))  # the average month: × 1
    flat = tariff("    - {category: local, increment: 60/60, rate_per_minute: 0.10}")
    local = rate_usage(prepared, flat).lines[0]
    assert (local.billed_minutes, local.amount) == (6, Decimal("0.60"))  # 1 + 2 + 3 minutes
    assert "index" not in vars(prepared)
    banded = tariff(
        "    - {category: national, increment: 6/6, rate_per_minute: 0.70}\n"
        "    - {category: national, band: night, increment: 6/6, rate_per_minute: 0.35}\n"
        "  time_bands:\n"
        "    night: [{days: [mon, tue, wed, thu, fri, sat, sun], from_hour: 0, to_hour: 7}]\n"
    )
    assert rate_usage(prepared, banded, month="2026-09").total == Decimal("0.175")  # 30 s night
    assert "index" in vars(prepared)


def test_histogram_keys_must_be_whole_seconds() -> None:
    profile = profile_of(outbound("local", 60)).model_copy(update={"buckets": DurationBuckets()})
    category = profile.categories[0].model_copy(update={"duration_histogram": {"6O": 1}})
    broken = profile.model_copy(update={"categories": [category]})
    t = tariff("    - {category: local, rate_per_minute: 0.10}")
    with pytest.raises(ValueError, match="duration_histogram keys must be whole seconds"):
        rate_usage(broken, t)


def test_histograms_that_disagree_with_the_buckets_are_refused() -> None:
    # National: 3 day calls and 2 night calls in the buckets, but its histogram holds 1 call
    # (and local's 4 more, so the totals still match): the night calls moved out of the
    # day slot would leave it −1 call.
    calls = [Call("outbound", "national", "CN", None, at(10 + h), 60) for h in range(3)]
    calls += [Call("outbound", "national", "CN", None, at(h), 60) for h in range(2)]
    calls += outbound("local", 60)
    profile = profile_of(calls)
    histograms = {"national": {"60": 1}, "local": {"60": 5}}
    categories = [
        c.model_copy(update={"duration_histogram": histograms[c.category]})
        for c in profile.categories
    ]
    banded = tariff(
        "    - {category: national, increment: 6/6, rate_per_minute: 0.70}\n"
        "    - {category: national, band: night, increment: 6/6, rate_per_minute: 0.35}\n"
        "    - {category: local, increment: 6/6, rate_per_minute: 0.10}\n"
        "  time_bands:\n"
        "    night: [{days: [mon, tue, wed, thu, fri, sat, sun], from_hour: 0, to_hour: 7}]\n"
    )
    with pytest.raises(ValueError, match="histograms disagree with the buckets"):
        rate_usage(profile.model_copy(update={"categories": categories}), banded)


# ----------------------------------------------------------------- shipped tariffs


@pytest.mark.parametrize("path", tariff_paths(ROOT / "tariffs"), ids=lambda p: p.name)
def test_every_shipped_tariff_is_valid_and_marked_as_example(path: Path) -> None:
    shipped = load_tariff(path)
    assert shipped.example
    assert "EXAMPLE" in path.read_text(encoding="utf-8").splitlines()[0]
    # each one prices a small profile without error
    calls = [
        Call("outbound", "local", "CN", "+86 2163", at(10), 125),
        Call("outbound", "international", "GB", "+44 7911", at(3), 61),
        Call("inbound", "toll_free", "US", "+1 8005", at(12), 30),
    ]
    profile = profile_of(calls)
    rating = rate_usage(profile, shipped)
    items = price_tariff(shipped, Quantities.from_profile(profile, seats=20), rating)
    assert items
