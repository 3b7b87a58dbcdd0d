"""Scenarios: cash-flow timing, growth, leases, refresh, pools, metrics, warnings, errors.

Every expected number is worked out by hand in the test (or comes from numpy-financial, or
from rating a profile with the counts really doubled), never from the code under test.
"""

from __future__ import annotations

import doctest
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.cli import main
from app.core import scenarios as scenarios_module
from app.core.finance import monthly_rate
from app.core.rating import rate_usage
from app.core.scenarios import (
    Comparison,
    Scenario,
    ScenarioError,
    compare,
    parse_scenario,
    scale_usage,
)
from app.core.tariffs import Tariff, load_tariff, parse_tariff
from app.core.usage import (
    BucketKey,
    CategoryUsage,
    DurationBuckets,
    Period,
    RecommendedChannels,
    RowCounts,
    Totals,
    UsageProfile,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "demo"  # the shared sample bills, shipped as demo data


def profile(
    histogram: dict[int, int] | None = None,
    *,
    billed: str | None = "0",
    days: float = 30.4375,
    busy_hour: float = 1.0,
    peak: int = 3,
    extensions: int = 10,
    dids: int = 4,
    currency: str = "CNY",
) -> UsageProfile:
    """Outbound local calls (``{seconds: calls}``); 30.4375 days = exactly one average month."""
    histogram = histogram if histogram is not None else {60: 100}
    calls = sum(histogram.values())
    seconds = sum(d * n for d, n in histogram.items())
    return UsageProfile(
        period=Period(
            start="2026-09-01T00:00:00+08:00", end="2026-09-30T23:00:00+08:00", days=days
        ),
        rows=RowCounts(read=calls, used=calls, skipped=0),
        totals=Totals(calls=calls, answered_calls=calls, billable_seconds=seconds),
        categories=[
            CategoryUsage(
                direction="outbound",
                category="local",
                country="CN",
                calls=calls,
                answered_calls=calls,
                billable_seconds=seconds,
                billed_cost=None if billed is None else Decimal(billed),
                duration_histogram={str(d): n for d, n in histogram.items()},
            )
        ],
        busy_hour_erlangs=busy_hour,
        peak_concurrent_calls=peak,
        recommended_channels=RecommendedChannels(gos=0.01, channels=peak + 1),
        distinct_extensions=extensions,
        distinct_dids=dids,
        currency=currency,
    )


def tariff(text: str) -> Tariff:
    return parse_tariff(text, "test.yaml")


ONPREM_86K = tariff(
    """
name: On-prem 86k
kind: onprem_pbx
currency: CNY
equipment:
  - {name: system, unit_price: 86000}
recurring:
  - {name: support, price: 2100}
"""
)

HOSTED = tariff(
    """
name: Hosted per seat
kind: hosted_pbx
currency: CNY
usage:
  rates:
    - {category: local, increment: 60/60, rate_per_minute: 0.10}
recurring:
  - {name: seat, per: seat, price: 50}
one_time:
  - {name: activation, per: seat, price: 20}
"""
)

POOLED = tariff(
    """
name: Pooled
kind: hosted_pbx
currency: CNY
usage:
  rates:
    - {category: local, increment: 60/60, rate_per_minute: 0.10}
included_minutes:
  - {name: pool, minutes: 100, per: seat, draws: ["outbound/local"]}
"""
)


def scenario(**fields: Any) -> Scenario:
    data: dict[str, Any] = {"seats": 10, "sensitivity": False}
    data.update(fields)
    return Scenario.model_validate(data)


def today(amount: float, **fields: Any) -> dict[str, Any]:
    """A status quo of one fixed monthly line (no escalation), usage from the bill (0)."""
    line = {"name": "lines", "amount": amount, "escalates": False}
    return {"recurring": [line], **fields}


def costs(values: list[Decimal]) -> list[float]:
    return [float(v) for v in values]


# ------------------------------------------------------------------------------- contract


def test_doctests() -> None:
    failures, tried = doctest.testmod(scenarios_module)
    assert tried >= 1 and failures == 0


def test_contract_example_by_hand() -> None:
    """CONTRACT.md: 5,120 a month today against 86,000 up front and 2,100 a month, 8 %.

    Savings −86,000 then 3,020 a month; TCO today 60 × 5,120 = 307,200, on-prem
    86,000 + 60 × 2,100 = 212,000, savings 95,200. Payback: S(27) = −86,000 + 81,540 =
    −4,460, S(28) = −1,440 + 3,020 > 0, so 27 + 4,460/3,020 = 28.4768. NPV: annuity factor
    (1 − 1.08^−5)/r_m = 49.64494 with r_m = 1.08^(1/12) − 1, 3,020 × 49.64494 − 86,000.
    """
    result = compare(
        scenario(
            status_quo=today(5120),
            alternatives=[{"name": "On-prem", "kind": "onprem", "tariffs": ["onprem"]}],
        ),
        profile(),
        {"onprem": ONPREM_86K},
    )
    sq, alt = result.status_quo, result.alternatives[0]
    assert costs(sq.monthly_costs) == [0.0] + [5120.0] * 60
    assert costs(alt.monthly_costs) == [86000.0] + [2100.0] * 60
    assert sq.tco == 307_200 and alt.tco == 212_000 and alt.savings_total == 95_200
    assert alt.payback_months == pytest.approx(27 + 4460 / 3020)
    assert round(alt.payback_months or 0, 2) == 28.48
    assert alt.payback_holds
    annuity = (1 - 1.08**-5) / monthly_rate(0.08)
    assert alt.npv == pytest.approx(3020 * annuity - 86_000)
    assert alt.npv == pytest.approx(63_927.6, abs=0.1)
    savings = [-86_000.0] + [3020.0] * 60
    assert alt.irr_annual == pytest.approx((1 + npf.irr(savings)) ** 12 - 1)
    assert round(alt.irr_annual or 0, 3) == 0.404
    assert alt.roi == pytest.approx(95_200 / 86_000)
    assert alt.investment == 86_000
    # the exact JSON keys CONTRACT.md names
    data = json.loads(result.model_dump_json())
    assert list(data)[:5] == [
        "currency",
        "horizon_months",
        "status_quo",
        "alternatives",
        "discount_rate_annual",
    ]
    assert data["currency"] == "CNY" and data["horizon_months"] == 60
    assert {"name", "kind", "monthly_costs", "tco"} <= set(data["status_quo"])
    assert data["status_quo"]["kind"] == "status_quo"
    contract_keys = {
        "name", "kind", "monthly_costs", "tco", "savings_total",
        "payback_months", "payback_holds", "npv", "irr_annual",
    }  # fmt: skip
    assert contract_keys <= set(data["alternatives"][0])
    assert data["alternatives"][0]["kind"] == "onprem"
    assert data["alternatives"][0]["monthly_costs"][:2] == [86000.0, 2100.0]


def test_design_payback_example() -> None:
    """DESIGN.md: 1,000 up front and 100 a month of savings pay back in 10.0 months."""
    up_front = tariff(
        "name: Box\nkind: onprem_pbx\ncurrency: CNY\nequipment: [{name: box, unit_price: 1000}]"
    )
    result = compare(
        scenario(
            horizon_months=24,
            status_quo=today(100),
            alternatives=[{"name": "Box", "kind": "onprem", "tariffs": ["box"]}],
        ),
        profile(),
        {"box": up_front},
    )
    alt = result.alternatives[0]
    assert alt.payback_months == 10.0 and alt.payback_holds
    # discounted at 8 %: Σ 100/(1+r_m)^t reaches 1,000 between months 10 and 11
    assert alt.discounted_payback_months is not None and 10 < alt.discounted_payback_months < 11


def test_payback_none_when_savings_never_catch_up() -> None:
    result = compare(
        scenario(
            status_quo=today(2000),
            alternatives=[{"name": "On-prem", "kind": "onprem", "tariffs": ["onprem"]}],
        ),
        profile(),
        {"onprem": ONPREM_86K},
    )
    alt = result.alternatives[0]
    # savings: −86,000 then −100 a month: never
    assert alt.payback_months is None and alt.payback_holds is False
    assert alt.irr_annual is None
    assert alt.npv < -86_000


# ----------------------------------------------------------------------- timing conventions


def test_lease_pays_pmt_in_months_one_to_term() -> None:
    """10,000 of equipment leased at 6 % over 36 months: PMT(0.005, 36, 10,000) = 304.22 in
    months 1…36, nothing in month 0 (r = 0.005, 1.005^36 = 1.19668, 50 / 0.164355)."""
    box = tariff(
        "name: Box\nkind: onprem_pbx\ncurrency: CNY\nequipment: [{name: box, unit_price: 10000}]"
    )
    result = compare(
        scenario(
            horizon_months=48,
            status_quo=today(0),
            alternatives=[
                {
                    "name": "Leased",
                    "kind": "onprem",
                    "tariffs": ["box"],
                    "financing": {"mode": "lease", "rate_annual": 0.06, "term_months": 36},
                }
            ],
        ),
        profile(),
        {"box": box},
    )
    flows = costs(result.alternatives[0].monthly_costs)
    assert flows[0] == 0
    assert all(round(v, 2) == 304.22 for v in flows[1:37])
    assert flows[37:] == [0.0] * 12
    assert float(result.alternatives[0].components["equipment"][1]) == pytest.approx(
        304.2194, abs=1e-4
    )


def test_refresh_at_end_of_life_and_maintenance_restarting() -> None:
    """1,200 of equipment with a 24-month life, 10 %/year maintenance after 12 months of
    warranty, over 60 months: bought in month 0 (serves 1…24), again in 25 and 49;
    maintenance 1,200 × 10 % / 12 = 10 a month in months 13…24 and 37…48 (each warranty
    restarts with the replacement; the third one's runs past the horizon)."""
    box = tariff(
        """
name: Box
kind: onprem_pbx
currency: CNY
equipment: [{name: box, unit_price: 1200, lifetime_months: 24}]
maintenance: {percent_per_year: 10, warranty_months: 12}
"""
    )
    result = compare(
        scenario(
            status_quo=today(0),
            alternatives=[{"name": "Box", "kind": "onprem", "tariffs": ["box"]}],
        ),
        profile(),
        {"box": box},
    )
    alt = result.alternatives[0]
    equipment = costs(alt.components["equipment"])
    assert [t for t, v in enumerate(equipment) if v] == [0, 25, 49]
    assert {equipment[t] for t in (0, 25, 49)} == {1200.0}
    maintenance = costs(alt.components["maintenance"])
    expected = [10.0 if 13 <= t <= 24 or 37 <= t <= 48 else 0.0 for t in range(61)]
    assert maintenance == expected
    assert alt.tco == 3 * 1200 + 24 * 10


def test_growth_steps_yearly_for_seats_usage_and_one_time_increments() -> None:
    """10 seats growing 10 % a year: ⌈10⌉, ⌈11⌉, ⌈12.1⌉ = 10, 11, 13 seats in years 1–3.
    Seats at 50 a month: 500, 550, 650; activation 20 a seat: 200 up front, 20 more in
    month 13, 40 more in month 25. Usage follows seats: 100 one-minute calls at 0.10 = 10.00
    a month, 11.00 in year 2, 12.10 in year 3."""
    result = compare(
        scenario(
            horizon_months=36,
            seat_growth_annual=0.1,
            status_quo=today(0),
            alternatives=[{"name": "Hosted", "kind": "hosted", "tariffs": ["hosted"]}],
        ),
        profile({60: 100}),
        {"hosted": HOSTED},
    )
    alt = result.alternatives[0]
    assert result.seats[1::12] == [10, 11, 13]
    seats = costs(alt.components["seats"])
    assert (
        seats[1:13] == [500.0] * 12 and seats[13:25] == [550.0] * 12 and seats[25:] == [650.0] * 12
    )
    installation = costs(alt.components["installation"])
    assert [(t, v) for t, v in enumerate(installation) if v] == [(0, 200.0), (13, 20.0), (25, 40.0)]
    usage = costs(alt.components["usage"])
    assert usage[1] == pytest.approx(10.0) and usage[13] == pytest.approx(11.0)
    assert usage[25] == pytest.approx(12.1)
    # cost per seat-month: TCO over Σ seats of months 1…36
    assert float(alt.cost_per_seat_month or 0) == pytest.approx(
        float(alt.tco) / (12 * (10 + 11 + 13))
    )


def test_escalation_steps_yearly_and_waits_for_a_fixed_price_term() -> None:
    """Bill usage of 1,000 a month with 3 % escalation: 1,000, 1,030, 1,060.90. A SIP trunk
    fixing its prices for 24 months: 100 a month until month 24, then 100 × 1.03² = 106.09."""
    trunk = tariff(
        """
name: Trunk
kind: sip_trunk
currency: CNY
price_fixed_for_term: true
recurring: [{name: access, price: 100}]
contract: {term_months: 24}
"""
    )
    result = compare(
        scenario(
            horizon_months=36,
            price_escalation_annual=0.03,
            alternatives=[{"name": "Trunk", "kind": "sip_only", "tariffs": ["trunk"]}],
        ),
        profile(billed="1000"),
        {"trunk": trunk},
    )
    sq = costs(result.status_quo.monthly_costs)
    assert sq[1] == 1000.0 and sq[13] == pytest.approx(1030.0) and sq[25] == pytest.approx(1060.9)
    alt = costs(result.alternatives[0].monthly_costs)
    assert alt[1] == alt[24] == 100.0 and alt[25] == pytest.approx(106.09)


def test_bill_usage_is_scaled_to_an_average_month() -> None:
    """A bill of 30 days that charged 600: 600 × 30.4375 / 30 = 608.75 a month."""
    result = compare(
        scenario(
            horizon_months=12, alternatives=[{"name": "H", "kind": "hosted", "tariffs": ["h"]}]
        ),
        profile(billed="600", days=30),
        {"h": HOSTED},
    )
    assert costs(result.status_quo.monthly_costs)[1] == pytest.approx(608.75)


def test_parallel_running_porting_training_and_termination() -> None:
    result = compare(
        scenario(
            status_quo=today(300),
            alternatives=[
                {
                    "name": "Hosted",
                    "kind": "hosted",
                    "tariffs": ["hosted"],
                    "migration": {
                        "parallel_months": 2,
                        "porting_per_number": 50,
                        "training": 700,
                        "early_termination_fee": 1000,
                    },
                }
            ],
        ),
        profile({60: 100}, dids=4),
        {"hosted": HOSTED},
    )
    alt = result.alternatives[0]
    other = costs(alt.components["other"])
    # today's 300 a month paid beside the new system in months 1 and 2; the fee in month 0
    assert other[:4] == [1000.0, 300.0, 300.0, 0.0]
    # porting 4 DIDs × 50 + training 700 + activation 10 × 20
    assert costs(alt.components["installation"])[0] == 200 + 700 + 200


# ------------------------------------------------------------------------------- usage


def test_scaled_pool_matches_rating_the_grown_traffic() -> None:
    """Pools make usage cost non-linear: 150 one-minute calls against 100 included minutes
    for one seat leave 50 × 0.10 = 5.00; twice the traffic leaves 200 × 0.10 = 20.00, as
    rating a profile with the counts really doubled says."""
    base = rate_usage(profile({60: 150}), POOLED, seats=1)
    assert base.total == Decimal("5.0")
    doubled = scale_usage(base, POOLED, Decimal(2), Decimal(1), seats=1)
    assert doubled.total == rate_usage(profile({60: 300}), POOLED, seats=1).total == Decimal(20)
    # three seats: 300 minutes included, 300 wanted: nothing to pay
    assert scale_usage(base, POOLED, Decimal(2), Decimal(1), seats=3).total == 0
    # prices × 1.2 on the overage only
    assert scale_usage(base, POOLED, Decimal(1), Decimal("1.2"), seats=1).total == Decimal(6)


def test_usage_growth_draws_the_pool_again_each_year() -> None:
    """1 seat, 100 minutes included, 150 wanted in year 1 (5.00), usage × 2 in year 2
    (100 % growth): 300 wanted, 20.00 — not 2 × 5.00."""
    result = compare(
        scenario(
            seats=1,
            horizon_months=24,
            usage_growth_annual=1,
            alternatives=[{"name": "Pooled", "kind": "hosted", "tariffs": ["pooled"]}],
        ),
        profile({60: 150}),
        {"pooled": POOLED},
    )
    usage = costs(result.alternatives[0].components["usage"])
    assert usage[1] == pytest.approx(5.0) and usage[13] == pytest.approx(20.0)


def test_channels_are_resized_from_grown_traffic() -> None:
    """Busy hour 4.461 E needs 10 channels at B ≤ 1.1 % (Erlang B tables); doubled traffic
    (8.922 E) needs 16 at 1 % (B(16, 8.922) = 0.0091, B(15, 8.922) = 0.0167)."""
    trunk = tariff(
        "name: T\nkind: sip_trunk\ncurrency: CNY\n"
        "recurring: [{name: channel, per: channel, price: 10}]"
    )
    result = compare(
        scenario(
            horizon_months=24,
            usage_growth_annual=1,
            grade_of_service=0.011,
            alternatives=[{"name": "T", "kind": "sip_only", "tariffs": ["t"]}],
        ),
        profile(busy_hour=4.461, peak=3),
        {"t": trunk},
    )
    channels = costs(result.alternatives[0].components["channels"])
    assert channels[1] == 100.0
    assert channels[13] == 160.0


# ------------------------------------------------------------------------- money & checks


def test_mixed_currencies_need_an_exchange_rate() -> None:
    usd = ONPREM_86K.model_copy(update={"currency": "USD"})
    fields = {
        "status_quo": today(5120),
        "alternatives": [{"name": "On-prem", "kind": "onprem", "tariffs": ["onprem"]}],
        "currency": "CNY",
    }
    with pytest.raises(ScenarioError) as error:
        compare(scenario(**fields), profile(), {"onprem": usd})
    assert error.value.field == "exchange_rates" and "USD" in str(error.value)
    result = compare(scenario(**fields, exchange_rates={"USD": 7}), profile(), {"onprem": usd})
    assert costs(result.alternatives[0].monthly_costs)[:2] == [86000.0 * 7, 2100.0 * 7]


def test_unknown_tariff_and_unknown_override_name_the_field() -> None:
    with pytest.raises(ScenarioError) as error:
        compare(
            scenario(alternatives=[{"name": "X", "kind": "hosted", "tariffs": ["hosted", "nope"]}]),
            profile(),
            {"hosted": HOSTED},
        )
    assert error.value.field == "alternatives[0].tariffs[1]"
    with pytest.raises(ScenarioError) as error:
        compare(
            scenario(
                alternatives=[
                    {
                        "name": "X",
                        "kind": "hosted",
                        "tariffs": ["hosted"],
                        "overrides": [{"item": "gold plating", "price": 1}],
                    }
                ]
            ),
            profile(),
            {"hosted": HOSTED},
        )
    assert error.value.field == "alternatives[0].overrides[0].item"


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"horizon_months": 181}, ("horizon_months",)),
        ({"horizon_months": 0}, ("horizon_months",)),
        ({"seats": -3}, ("seats",)),
        (
            {"alternatives": [{"name": "X", "kind": "hosted", "tariffs": []}]},
            ("alternatives", 0, "tariffs"),
        ),
        ({"alternatives": []}, ("alternatives",)),
        ({"status_quo": today(-5)}, ("status_quo", "recurring", 0, "amount")),
        (
            {"alternatives": [{"name": "X", "kind": "cloud", "tariffs": ["h"]}]},
            ("alternatives", 0, "kind"),
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    fields: dict[str, Any], where: tuple[object, ...]
) -> None:
    data = {"seats": 10, "alternatives": [{"name": "H", "kind": "hosted", "tariffs": ["h"]}]}
    data.update(fields)
    with pytest.raises(ValidationError) as error:
        Scenario.model_validate(data)
    assert error.value.errors()[0]["loc"] == where


def test_scenario_file_errors_name_file_line_and_field() -> None:
    text = "seats: 10\nalternatives:\n  - name: X\n    kind: cloud\n    tariffs: [h]\n"
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text, "s.yaml")
    assert str(error.value).startswith("s.yaml:4:11: alternatives[0].kind: ")


def test_overrides_discounts_and_their_warnings() -> None:
    """Seat price overridden to 40 and a 12 % discount: 10 × 40 × 0.88 = 352 a month; a
    12 % discount on a 400-a-month spend needs a director (rep 5, manager 10, director 15)."""
    hosted = HOSTED.model_copy(
        update={
            "discount_policy": tariff(
                """
name: P
kind: hosted_pbx
currency: CNY
discount_policy: {tiers: [{min_monthly_spend: 0, rep: 5, manager: 10, director: 15}]}
"""
            ).discount_policy
        }
    )
    result = compare(
        scenario(
            horizon_months=12,
            status_quo=today(1000),
            alternatives=[
                {
                    "name": "Hosted",
                    "kind": "hosted",
                    "tariffs": ["hosted"],
                    "discount_pct": 12,
                    "overrides": [{"item": "seat", "price": 40}],
                }
            ],
        ),
        profile({60: 100}),
        {"hosted": hosted},
    )
    alt = result.alternatives[0]
    assert costs(alt.components["seats"])[1] == pytest.approx(352.0)
    approvals = [w for w in result.warnings if w.code == "discount_needs_approval"]
    assert len(approvals) == 1 and "director" in approvals[0].message


def test_warnings_channels_below_peak_commitment_and_long_contract() -> None:
    trunk = tariff(
        """
name: Trunk
kind: sip_trunk
currency: CNY
usage: {rates: [{category: local, increment: 60/60, rate_per_minute: 0.10}]}
recurring: [{name: channels, per: channel, price: 40}]
contract: {term_months: 36, minimum_monthly_commitment: 500}
"""
    )
    result = compare(
        scenario(
            horizon_months=24,
            alternatives=[
                {
                    "name": "Trunk",
                    "kind": "sip_only",
                    "tariffs": ["trunk"],
                    "overrides": [{"item": "channels", "quantity": 2}],
                }
            ],
        ),
        profile({60: 100}, peak=5),
        {"trunk": trunk},
    )
    codes = {w.code for w in result.warnings}
    assert {"channels_below_peak", "minimum_commitment", "contract_beyond_horizon"} <= codes
    # the commitment tops 10.00 of usage and 80 of channels up to 500: 410 of shortfall
    assert costs(result.alternatives[0].monthly_costs)[1] == pytest.approx(500.0)


def test_assumptions_carry_their_source() -> None:
    result = compare(
        scenario(
            status_quo=today(100),
            alternatives=[{"name": "H", "kind": "hosted", "tariffs": ["hosted"]}],
        ),
        profile(),
        {"hosted": HOSTED},
        versions={"hosted": 7},
    )
    sources = {a.name: (a.source, a.detail) for a in result.assumptions}
    assert sources["seats"][0] == "rep"
    assert sources["horizon"][0] == "default"
    assert sources["peak concurrent calls"][0] == "bill"
    assert sources["Hosted per seat"] == ("tariff", "tariff hosted v7")
    assert {line.source for line in result.alternatives[0].line_items} == {"tariff hosted v7"}


# --------------------------------------------------------------------- sensitivity & solving


def test_tornado_by_hand_and_what_it_takes() -> None:
    """Today 5,000 a month; hosted: 10 seats at 50 (500 a month), 200 of activation, 10.00 of
    calls. Seat price × 0.8 saves 100 a month more: NPV rises by 100 × the annuity factor.
    Break-even by month 36 at seat price p: 36 × (5,000 − 10p − 10) = 200 →
    p = (4,990 − 200/36) / 10 = 498.44."""
    result = compare(
        scenario(
            sensitivity=True,
            payback_target_months=36,
            status_quo=today(5000),
            alternatives=[{"name": "Hosted", "kind": "hosted", "tariffs": ["hosted"]}],
        ),
        profile({60: 100}),
        {"hosted": HOSTED},
    )
    alt = result.alternatives[0]
    bars = {bar.driver: bar for bar in alt.tornado}
    drivers = "usage seats per_minute seat_price equipment_price maintenance discount_rate"
    assert set(bars) == set(drivers.split())
    annuity = (1 - 1.08**-5) / monthly_rate(0.08)
    assert bars["seat_price"].npv_low - alt.npv == pytest.approx(100 * annuity)
    assert bars["seat_price"].npv_high - alt.npv == pytest.approx(-100 * annuity)
    assert bars["maintenance"].npv_low == pytest.approx(alt.npv)
    assert bars["discount_rate"].npv_low > alt.npv > bars["discount_rate"].npv_high
    seat = next(w for w in alt.what_it_takes if w.driver == "seat_price")
    assert seat.base_value == 50
    assert seat.value == pytest.approx((4990 - 200 / 36) / 10, rel=1e-6)


def test_what_it_takes_usage_by_hand() -> None:
    """Today: calls as billed, 2.00 a minute (100 minutes = 200 a month); the trunk: 0.10 a
    minute and 1,000 up front. Break-even by month 12 at m minutes a month:
    12 × 1.9 m = 1,000 → m = 43.86 (0.4386 × today's 100)."""
    trunk = tariff(
        """
name: Trunk
kind: sip_trunk
currency: CNY
usage: {rates: [{category: local, increment: 60/60, rate_per_minute: 0.10}]}
one_time: [{name: setup, price: 1000}]
"""
    )
    result = compare(
        scenario(
            sensitivity=True,
            payback_target_months=12,
            alternatives=[{"name": "Trunk", "kind": "sip_only", "tariffs": ["trunk"]}],
        ),
        profile({60: 100}, billed="200", busy_hour=0.1, peak=1),
        {"trunk": trunk},
    )
    usage = next(w for w in result.alternatives[0].what_it_takes if w.driver == "usage")
    assert usage.base_value == pytest.approx(100)
    assert usage.value == pytest.approx(1000 / 12 / 1.9, rel=2e-3)


# ------------------------------------------------------------------------------ properties


@settings(max_examples=40, deadline=None)
@given(
    seats=st.integers(1, 300),
    seat_growth=st.decimals("-0.3", "0.5", places=2),
    usage_growth=st.none() | st.decimals("-0.3", "0.5", places=2),
    escalation=st.decimals("-0.1", "0.2", places=2),
    horizon=st.integers(1, 180),
    histogram=st.dictionaries(st.integers(0, 3600), st.integers(1, 500), min_size=1, max_size=8),
    lease=st.booleans(),
)
def test_costs_are_never_negative(
    seats: int,
    seat_growth: Decimal,
    usage_growth: Decimal | None,
    escalation: Decimal,
    horizon: int,
    histogram: dict[int, int],
    lease: bool,
) -> None:
    result = compare(
        scenario(
            seats=seats,
            horizon_months=horizon,
            seat_growth_annual=seat_growth,
            usage_growth_annual=usage_growth,
            price_escalation_annual=escalation,
            status_quo={"tariff": "pstn", "usage_from": "tariff"},
            alternatives=[
                {
                    "name": "On-prem",
                    "kind": "onprem",
                    "tariffs": ["onprem", "trunk"],
                    "financing": {"mode": "lease" if lease else "buy", "rate_annual": 0.05},
                },
                {"name": "Hosted", "kind": "hosted", "tariffs": ["hosted"]},
            ],
        ),
        profile(histogram),
        SHIPPED,
    )
    for option in [result.status_quo, *result.alternatives]:
        assert len(option.monthly_costs) == horizon + 1
        assert all(v >= 0 for v in option.monthly_costs)
        assert all(v >= 0 for column in option.components.values() for v in column)
        assert option.tco == sum(option.monthly_costs)


@settings(max_examples=40, deadline=None)
@given(
    histogram=st.dictionaries(st.integers(1, 1800), st.integers(1, 300), min_size=1, max_size=6),
    extra=st.integers(1, 300),
    seats=st.integers(1, 20),
)
def test_more_usage_never_lowers_a_usage_priced_cost(
    histogram: dict[int, int], extra: int, seats: int
) -> None:
    """Adding calls (of any duration) never lowers any month's usage cost of any option."""
    more = dict(histogram)
    longest = max(histogram)
    more[longest] = more[longest] + extra
    fields = {
        "seats": seats,
        "horizon_months": 24,
        "usage_growth_annual": 0.2,
        "status_quo": {"tariff": "pstn", "usage_from": "tariff"},
        "alternatives": [
            {"name": "Trunk", "kind": "sip_only", "tariffs": ["trunk"]},
            {"name": "Hosted", "kind": "hosted", "tariffs": ["hosted"]},
        ],
    }
    less_result = compare(scenario(**fields), profile(histogram), SHIPPED)
    more_result = compare(scenario(**fields), profile(more), SHIPPED)
    pairs = zip(
        [less_result.status_quo, *less_result.alternatives],
        [more_result.status_quo, *more_result.alternatives],
        strict=True,
    )
    for less, more_option in pairs:
        for a, b in zip(less.components["usage"], more_option.components["usage"], strict=True):
            assert b >= a


@settings(max_examples=30, deadline=None)
@given(
    up_front=st.integers(0, 100_000),
    today_monthly=st.integers(0, 5_000),
    extra=st.integers(0, 5_000),
    horizon=st.integers(1, 180),
)
def test_payback_is_none_when_savings_never_catch_up(
    up_front: int, today_monthly: int, extra: int, horizon: int
) -> None:
    """An alternative costing at least as much every month, and something up front, never
    pays back."""
    box = tariff(
        f"name: Box\nkind: onprem_pbx\ncurrency: CNY\n"
        f"equipment: [{{name: box, unit_price: {up_front + 1}}}]\n"
        f"recurring: [{{name: fee, price: {today_monthly + extra}}}]"
    )
    result = compare(
        scenario(
            horizon_months=horizon,
            status_quo=today(today_monthly),
            alternatives=[{"name": "Box", "kind": "onprem", "tariffs": ["box"]}],
        ),
        profile(),
        {"box": box},
    )
    alt = result.alternatives[0]
    assert alt.payback_months is None and not alt.payback_holds
    assert alt.savings_total < 0


# ------------------------------------------------------------------- shipped tariffs, CLI

SHIPPED = {
    "pstn": load_tariff(REPO / "tariffs" / "cn-pstn-business-lines.yaml"),
    "trunk": load_tariff(REPO / "tariffs" / "cn-sip-trunk.yaml"),
    "hosted": load_tariff(REPO / "tariffs" / "cn-hosted-pbx.yaml"),
    "onprem": load_tariff(REPO / "tariffs" / "cn-onprem-ippbx.yaml"),
}

SCENARIO_YAML = """
horizon_months: 60
discount_rate_annual: 0.08
start_month: "2027-01"
seats: 60
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
  - name: Hosted PBX
    kind: hosted
    tariffs: [cn-hosted-pbx]
  - name: SIP trunk behind today's PBX
    kind: sip_only
    tariffs: [cn-sip-trunk]
"""


def test_shipped_tariffs_metrics_agree_with_numpy_financial() -> None:
    scenario_model, _ = parse_scenario(SCENARIO_YAML, "s.yaml")
    tariffs = {p.stem: load_tariff(p) for p in (REPO / "tariffs").glob("cn-*.yaml")}
    result = compare(scenario_model, profile({45: 800, 130: 500, 610: 90}, extensions=60), tariffs)
    rate = monthly_rate(0.08)
    sq = costs(result.status_quo.monthly_costs)
    assert result.months[:3] == ["2027-01", "2027-01", "2027-02"]
    assert sq[18] - sq[17] == pytest.approx(30_000)
    for alt in result.alternatives:
        savings = [a - b for a, b in zip(sq, costs(alt.monthly_costs), strict=True)]
        assert alt.npv == pytest.approx(npf.npv(rate, savings), rel=1e-9)
        if alt.irr_annual is not None:
            assert alt.irr_annual == pytest.approx((1 + npf.irr(savings)) ** 12 - 1, rel=1e-6)
        assert float(alt.savings_total) == pytest.approx(float(result.status_quo.tco - alt.tco))
        assert sum(costs(alt.monthly_costs)) == pytest.approx(float(alt.tco))
        stacked = [sum(column[t] for column in alt.components.values()) for t in range(61)]
        assert stacked == alt.monthly_costs
        assert len(alt.tornado) == 7 and len(alt.what_it_takes) == 2


def test_cli_compare_prints_the_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile_file = tmp_path / "profile.json"
    profile_file.write_text(profile({45: 800, 130: 500}, extensions=60).model_dump_json())
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text(SCENARIO_YAML)
    assert (
        main(
            [
                "compare",
                str(profile_file),
                str(scenario_file),
                "--tariffs",
                str(REPO / "tariffs"),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    Comparison.model_validate(data)
    assert data["horizon_months"] == 60 and len(data["status_quo"]["monthly_costs"]) == 61
    assert [a["kind"] for a in data["alternatives"]] == ["onprem", "hosted", "sip_only"]


def test_cli_compare_bad_tariff_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile_file = tmp_path / "profile.json"
    profile_file.write_text(profile().model_dump_json())
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text(SCENARIO_YAML.replace("[cn-hosted-pbx]", "[cn-hosted]"))
    status = main(
        ["compare", str(profile_file), str(scenario_file), "--tariffs", str(REPO / "tariffs")]
    )
    assert status == 2
    error = capsys.readouterr().err
    assert f"{scenario_file}:21:15: alternatives[1].tariffs[0]: unknown tariff 'cn-hosted'" in error


def test_sample_bill_compares_with_usage_from_the_bill() -> None:
    from app.core.profile import AnalysisOptions, analyze_files

    name = "carrier-itemized-shanghai.csv"
    sample = analyze_files(
        [(name, (SAMPLES / name).read_bytes())], AnalysisOptions(country="CN", area_codes=["21"])
    )
    scenario_model, _ = parse_scenario(
        SCENARIO_YAML.replace("usage_from: tariff", "usage_from: bill"), "s"
    )
    result = compare(
        scenario_model,
        sample,
        {p.stem: load_tariff(p) for p in (REPO / "tariffs").glob("cn-*.yaml")},
    )
    # what the bill charged (589.02 CNY over 30 days, expected/*.json) scaled to a month
    billed = 235.2 + 83.6 + 111.3 + 131.1 + 27.72
    usage = costs(result.status_quo.components["usage"])
    assert usage[1] == pytest.approx(billed * 30.4375 / 30)


def test_the_schema_example_runs_on_the_shipped_tariffs() -> None:
    example = Scenario.model_json_schema()["example"]
    tariffs = {p.stem: load_tariff(p) for p in (REPO / "tariffs").glob("*.yaml")}
    result = compare(Scenario.model_validate(example), profile(extensions=50), tariffs)
    assert {a.kind for a in result.alternatives} == {"onprem", "hosted"}
    assert result.currency == "CNY"


def test_scaled_pool_counts_only_the_rated_calls_of_a_line() -> None:
    """Outbound local calls: 150 one-minute calls at 10:00 priced by a daytime rate, 100 at
    23:00 that no rate prices. The pool of 100 minutes draws on the 150 rated minutes only:
    50 × 0.10 = 5.00; doubled, 300 rated minutes leave 200 × 0.10 = 20.00 (not 40.00 as the
    line's 500 billed minutes would) — as rating the doubled calls says."""
    daytime = tariff(
        """
name: Daytime
kind: hosted_pbx
currency: CNY
usage:
  time_bands: {day: [{days: [mon, tue, wed, thu, fri, sat, sun], from_hour: 8, to_hour: 20}]}
  rates: [{category: local, band: day, increment: 60/60, rate_per_minute: 0.10}]
included_minutes: [{name: pool, minutes: 100, draws: ["outbound/local"]}]
"""
    )

    def bucketed(day_calls: int, night_calls: int) -> UsageProfile:
        keys = [
            BucketKey(direction="outbound", category="local", country="CN", prefix="+86 2163",
                      hour_of_week=hour, month="2026-09")
            for hour in (10, 23)
        ]  # fmt: skip
        buckets = DurationBuckets(
            keys=keys, key=[0, 1], duration=[60, 60], count=[day_calls, night_calls]
        )
        return profile({60: day_calls + night_calls}).model_copy(update={"buckets": buckets})

    base = rate_usage(bucketed(150, 100), daytime)
    assert base.total == Decimal(5)
    doubled = scale_usage(base, daytime, Decimal(2), Decimal(1), seats=1)
    assert doubled.total == rate_usage(bucketed(300, 200), daytime).total == Decimal(20)


@settings(max_examples=40, deadline=None)
@given(
    histogram=st.dictionaries(st.integers(0, 900), st.integers(1, 200), min_size=1, max_size=6),
    volume=st.integers(1, 4),
    pool_minutes=st.integers(0, 2000),
    seats=st.integers(1, 5),
    price=st.sampled_from(["0.8", "1", "1.2"]),
)
def test_scaled_usage_equals_rating_the_scaled_calls(
    histogram: dict[int, int], volume: int, pool_minutes: int, seats: int, price: str
) -> None:
    """Scaling a rating by a whole factor k equals rating the profile with every count × k,
    pools and all; prices × p equal a tariff whose usage prices are × p."""
    text = (
        "name: T\nkind: hosted_pbx\ncurrency: CNY\n"
        "usage: {rates: [{category: local, increment: 30/6, rate_per_minute: RATE, "
        "connect_fee: FEE}]}\n"
        f"included_minutes: [{{name: p, minutes: {pool_minutes}, per: seat, "
        'draws: ["outbound/local"]}]\n'
    )
    base_tariff = tariff(text.replace("RATE", "0.25").replace("FEE", "0.05"))
    dear = Decimal(price)
    priced_tariff = tariff(
        text.replace("RATE", str(Decimal("0.25") * dear)).replace(
            "FEE", str(Decimal("0.05") * dear)
        )
    )
    base = rate_usage(profile(histogram), base_tariff, seats=seats)
    scaled = scale_usage(base, base_tariff, Decimal(volume), dear, seats=seats)
    grown = {d: n * volume for d, n in histogram.items()}
    expected = rate_usage(profile(grown), priced_tariff, seats=seats)
    assert float(scaled.total) == pytest.approx(float(expected.total), abs=1e-9)


def test_rented_equipment_is_paid_monthly_instead() -> None:
    """Phones at 450 a seat, or rented at 15 a seat a month: 10 seats rent for 150 a month
    (no purchase in month 0, no maintenance); the appliance with no rental is still bought."""
    kit = tariff(
        """
name: Kit
kind: onprem_pbx
currency: CNY
equipment:
  - {name: appliance, unit_price: 5000}
  - {name: phone, per: seat, unit_price: 450, rental: {monthly_price: 15}}
maintenance: {percent_per_year: 12, warranty_months: 0}
"""
    )
    result = compare(
        scenario(
            horizon_months=12,
            status_quo=today(0),
            alternatives=[
                {"name": "Kit", "kind": "onprem", "tariffs": ["kit"], "financing": {"mode": "rent"}}
            ],
        ),
        profile(),
        {"kit": kit},
    )
    alt = result.alternatives[0]
    equipment = costs(alt.components["equipment"])
    assert equipment[0] == 5000.0 and equipment[1:] == [150.0] * 12
    # maintenance on the bought appliance only: 5,000 × 12 % / 12 = 50 a month
    assert costs(alt.components["maintenance"])[1:] == [50.0] * 12
