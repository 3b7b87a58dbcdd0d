"""Finance functions against numpy-financial and hand-worked examples."""

from __future__ import annotations

import doctest
import math
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import finance
from app.core.finance import (
    Payback,
    brentq,
    discounted_payback,
    irr,
    monthly_rate,
    npv,
    payback,
    pmt,
    roi,
    savings_irr_annual,
)


def test_doctests() -> None:
    failures, tried = doctest.testmod(finance)
    assert tried > 15
    assert failures == 0


def test_monthly_rate_compounds_to_the_annual_rate() -> None:
    # 1.08^(1/12) = e^(ln 1.08 / 12) = e^(0.0769610411 / 12) = e^0.0064134201 = 1.0064340301
    assert monthly_rate(0.08) == pytest.approx(0.0064340301, abs=1e-10)
    assert (1 + monthly_rate(0.08)) ** 12 == pytest.approx(1.08, rel=1e-14)


def test_npv_matches_numpy_financial_with_month_zero_undiscounted() -> None:
    flows = [-86_000.0] + [3_020.0] * 60
    rate = monthly_rate(0.08)
    assert npv(rate, flows) == pytest.approx(npf.npv(rate, flows), rel=1e-12)
    assert npv(rate, [100.0]) == 100.0


def test_contract_example_by_hand() -> None:
    """CONTRACT.md: 5,120 a month today against 86,000 up front and 2,100 a month, 8 %, 60 months.

    Savings: month 0 = 0 − 86,000 = −86,000; months 1…60 = 5,120 − 2,100 = 3,020.
    Payback: S(27) = −86,000 + 27 × 3,020 = −4,460 < 0 ≤ S(28) = −86,000 + 84,560 + 3,020
    = 1,580, so payback = 27 + 4,460 / 3,020 = 28.4768…
    NPV: r_m = 1.08^(1/12) − 1 = 0.00643403; the 60-month annuity factor
    (1 − 1.08^−5) / r_m = (1 − 0.680583197) / 0.00643403 = 49.6449…;
    NPV = 3,020 × 49.6449 − 86,000 = 63,927.6…
    """
    savings = [Decimal(-86_000)] + [Decimal(3_020)] * 60
    result = payback(savings)
    assert result.months == 27 + Decimal(4_460) / Decimal(3_020)
    assert round(float(result.months), 2) == 28.48
    assert result.holds
    annuity = (1 - 1.08**-5) / monthly_rate(0.08)
    assert annuity == pytest.approx(49.6449, abs=1e-4)
    assert npv(monthly_rate(0.08), savings) == pytest.approx(3_020 * annuity - 86_000, rel=1e-12)
    assert round(npv(monthly_rate(0.08), savings), 2) == pytest.approx(63_927.6, abs=0.1)
    irr_annual = savings_irr_annual(savings)
    assert irr_annual is not None
    assert irr_annual == pytest.approx((1 + npf.irr([float(s) for s in savings])) ** 12 - 1)
    assert round(irr_annual, 3) == 0.404


def test_design_payback_example() -> None:
    """DESIGN.md: 1,000 up front and 100 a month pay back in 10.0 months."""
    assert payback([-1000] + [100] * 24) == Payback(Decimal(10), True)


def test_payback_interpolates_within_the_month() -> None:
    # S: −1000, −700, −400, −100, +200 → crosses in month 4: 3 + 100 / 300 = 3.333…
    result = payback([-1000, 300, 300, 300, 300])
    assert result.months == 3 + Decimal(100) / Decimal(300)


def test_payback_that_does_not_hold() -> None:
    # S: −100, 0, 50, −50 (a refresh), 0 → pays back in month 1, but dips below 0 again
    result = payback([-100, 100, 50, -100, 50])
    assert result.months == Decimal(1)
    assert result.holds is False


def test_payback_after_a_later_dip() -> None:
    # S ≥ 0 at first, then a forced upgrade: −50 at month 2, recovered in month 3
    result = payback([0, 50, -100, 100])
    assert result.months == Decimal(2) + Decimal(50) / Decimal(100)
    assert result.holds


def test_payback_none_when_savings_never_catch_up() -> None:
    assert payback([-1000] + [10] * 60) == Payback(None, False)


def test_discounted_payback_by_hand() -> None:
    # Monthly rate 1 %: 100 / 1.01^t for t = 1…; Σ over 10 months = 100 × 9.4713 = 947.13 < 1000
    # 11 months: 100 × 10.3676 = 1,036.76 → (10) + 52.87 / (100 / 1.01^11 = 89.63) = 10.59
    result = discounted_payback([-1000] + [100] * 24, 0.01)
    assert result.months is not None
    assert float(result.months) == pytest.approx(10 + 52.8699 / 89.6324, abs=1e-3)


def test_irr_matches_numpy_financial_on_its_examples() -> None:
    for flows in (
        [-100, 39, 59, 55, 20],
        [-100, 0, 0, 74],
        [-100, 100, 0, -7],
        [-5, 10.5, 1, -8, 1],
    ):
        assert irr(flows) == pytest.approx(npf.irr(flows), abs=1e-9)


def test_irr_none_without_a_real_root() -> None:
    assert irr([100, 100, 100]) is None
    assert savings_irr_annual([-100, -10, -10]) is None
    assert savings_irr_annual([50, 10, 10]) is None


@settings(max_examples=60, deadline=None)
@given(
    investment=st.integers(1_000, 200_000),
    monthly=st.integers(50, 20_000),
    months=st.integers(12, 180),
)
def test_irr_agrees_with_numpy_financial(investment: int, monthly: int, months: int) -> None:
    flows = [-float(investment)] + [float(monthly)] * months
    expected = npf.irr(flows)
    got = irr(flows)
    if math.isnan(expected):
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-7, abs=1e-10)
        assert npv(got, flows) == pytest.approx(0, abs=1e-6 * investment)


def test_lease_payment_by_hand() -> None:
    """10,000 over 36 months at 6 % a year: r = 0.005, (1.005)^36 = 1.196680525,
    PMT = 10,000 × 0.005 / (1 − 1/1.196680525) = 50 / 0.164355 = 304.22."""
    payment = pmt(Decimal("0.06") / 12, 36, Decimal(10_000))
    assert payment.quantize(Decimal("0.01")) == Decimal("304.22")
    assert float(payment) == pytest.approx(-npf.pmt(0.005, 36, 10_000), rel=1e-12)
    assert pmt(Decimal(0), 24, Decimal(2_400)) == Decimal(100)


def test_roi() -> None:
    assert roi(Decimal(95_200), Decimal(86_000)) == pytest.approx(95_200 / 86_000)
    assert roi(Decimal(100), Decimal(0)) is None
    assert roi(Decimal(100), Decimal(-5)) is None


def test_brentq_finds_roots_and_steps() -> None:
    assert brentq(lambda x: x**3 - x - 2, 1, 2) == pytest.approx(1.5213797068, abs=1e-9)
    # a monotone step function: its jump at 2.5 is found to the tolerance
    assert brentq(lambda x: -1.0 if x < 2.5 else 1.0, 0, 10) == pytest.approx(2.5, abs=1e-8)
    with pytest.raises(ValueError, match="bracket"):
        brentq(lambda x: x * x + 1, -1, 1)


def test_brentq_uses_few_evaluations_on_smooth_functions() -> None:
    calls = 0

    def f(x: float) -> float:
        nonlocal calls
        calls += 1
        return math.exp(x) - 10

    assert brentq(f, 0, 10) == pytest.approx(math.log(10), abs=1e-9)
    assert calls < 15
