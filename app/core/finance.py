"""Money over time: discounting, NPV, IRR, payback, ROI, leases and a root finder.

Conventions are DESIGN.md's ("Metrics", "Cash flows"): a stream ``values[t]`` holds the
amount of month ``t``, month 0 is today and is not discounted, month ``t`` is discounted by
``(1 + r_m)^t`` with the monthly rate ``r_m = (1 + r_annual)^(1/12) − 1``. Savings streams
are status-quo cost minus alternative cost, month by month. Amounts come in as ``Decimal``
(money) or ``float``; payback is computed exactly in decimals, rates in floats.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

Number = Decimal | float | int


def monthly_rate(annual_rate: float) -> float:
    """The monthly rate compounding to ``annual_rate``: ``(1 + r)^(1/12) − 1``.

    >>> round(monthly_rate(0.08), 8)
    0.00643403
    >>> monthly_rate(0.0)
    0.0
    """
    return float((1.0 + annual_rate) ** (1.0 / 12.0) - 1.0)


def annualise(monthly: float) -> float:
    """The annual rate of a monthly one: ``(1 + r_m)^12 − 1``.

    >>> round(annualise(monthly_rate(0.08)), 12)
    0.08
    """
    return float((1.0 + monthly) ** 12 - 1.0)


def discount_factors(rate: float, months: int) -> np.ndarray:
    """``1 / (1 + rate)^t`` for ``t = 0 … months − 1``.

    >>> discount_factors(0.1, 3).round(6).tolist()
    [1.0, 0.909091, 0.826446]
    """
    return np.asarray(1.0 / (1.0 + rate) ** np.arange(months, dtype=float))


def npv(rate: float, values: Sequence[Number]) -> float:
    """Net present value: ``Σ values[t] / (1 + rate)^t``, month 0 undiscounted.

    >>> round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5)
    3065.22267
    """
    flows = np.asarray([float(v) for v in values], dtype=float)
    return float(flows @ discount_factors(rate, len(flows)))


def irr(values: Sequence[Number]) -> float | None:
    """The periodic internal rate of return: the ``r`` with ``Σ values[t] / (1+r)^t = 0``.

    As numpy-financial's ``irr`` finds it: of the real positive roots ``x = 1/(1+r)`` of the
    polynomial ``p(x) = Σ values[t]·x^t``, the one whose rate is closest to zero; ``None``
    where there is none. When the signs of the flows change once, Descartes' rule of signs
    says there is exactly one such root: it is bracketed and found by :func:`brentq` (fast
    and accurate for long streams); otherwise all roots come from ``numpy.roots``.

    >>> round(irr([-100, 39, 59, 55, 20]), 5)
    0.28095
    >>> round(irr([-100, 0, 0, 74]), 5)
    -0.0955
    >>> round(irr([-100, 100, 0, -7]), 5)
    -0.0833
    >>> irr([100, 10, 10]) is None
    True
    """
    flows = np.trim_zeros(np.asarray([float(v) for v in values], dtype=float))
    if len(flows) < 2:
        return None
    signs = np.sign(flows[flows != 0])
    changes = int(np.count_nonzero(signs[1:] != signs[:-1]))
    if changes == 0:
        return None
    powers = np.arange(len(flows), dtype=float)

    def polynomial(x: float) -> float:
        return float(flows @ np.power(x, powers))

    if changes == 1:
        high = 2.0
        while (polynomial(high) > 0) == (flows[0] > 0):
            high *= 2
        return 1.0 / brentq(polynomial, 0.0, high, xtol=1e-15, rtol=1e-15) - 1.0
    roots = np.roots(flows[::-1])
    scale = np.maximum(1.0, np.abs(roots))
    real = roots[(np.abs(roots.imag) <= 1e-9 * scale) & (roots.real > 0)].real
    if real.size == 0:
        return None
    rates = 1.0 / real - 1.0
    return float(rates[np.argmin(np.abs(rates))])


def savings_irr_annual(savings: Sequence[Number]) -> float | None:
    """Annualised IRR of a savings stream, ``(1 + irr_m)^12 − 1``.

    Defined only when ``savings[0] < 0`` and the stream later turns positive (DESIGN.md).
    CONTRACT.md's example, 86,000 up front then 3,020 a month for 60 months:

    >>> round(savings_irr_annual([-86_000] + [3_020] * 60), 4)
    0.404
    >>> savings_irr_annual([0] + [100] * 12) is None
    True
    """
    if not savings or float(savings[0]) >= 0 or not any(float(v) > 0 for v in savings[1:]):
        return None
    monthly = irr(savings)
    return None if monthly is None else annualise(monthly)


@dataclass(frozen=True)
class Payback:
    """When the running sum of savings turns non-negative (months, interpolated) and
    whether it stays so to the end of the horizon; ``months`` is None when it never does."""

    months: Decimal | None
    holds: bool


def payback(savings: Sequence[Number]) -> Payback:
    """Payback of a savings stream, with ``S(t)`` the running sum from month 0.

    0 when ``S(t) ≥ 0`` for every ``t``; else the first month ``t`` in which ``S`` turns
    from negative to ``≥ 0`` after first being negative, interpolated as
    ``(t − 1) + (−S(t−1)) / savings(t)``; None when it never does. It holds when ``S`` stays
    ``≥ 0`` from then to the end. DESIGN.md's example, 1,000 up front and 100 a month:

    >>> payback([-1000] + [100] * 12)
    Payback(months=Decimal('10'), holds=True)
    >>> payback([-1000] + [100] * 5)
    Payback(months=None, holds=False)
    >>> payback([0, 10, 10])
    Payback(months=Decimal('0'), holds=True)
    """
    flows = [v if isinstance(v, Decimal) else Decimal(str(v)) for v in savings]
    running = Decimal(0)
    cumulative: list[Decimal] = []
    for value in flows:
        running += value
        cumulative.append(running)
    if all(s >= 0 for s in cumulative):
        return Payback(Decimal(0), True)
    first_negative = next(t for t, s in enumerate(cumulative) if s < 0)
    for t in range(first_negative + 1, len(cumulative)):
        if cumulative[t] >= 0 > cumulative[t - 1]:
            months = (t - 1) + (-cumulative[t - 1]) / flows[t]
            holds = all(s >= 0 for s in cumulative[t:])
            return Payback(months, holds)
    return Payback(None, False)


def discounted_payback(savings: Sequence[Number], rate: float) -> Payback:
    """Payback of the savings discounted month by month: ``savings(t) / (1 + rate)^t``.

    >>> discounted_payback([-1000] + [100] * 12, 0.0).months
    Decimal('10')
    >>> float(discounted_payback([-1000] + [100] * 12, 0.01).months)  # doctest: +ELLIPSIS
    10.5...
    """
    factors = discount_factors(rate, len(savings))
    return payback([Decimal(float(v) * float(f)) for v, f in zip(savings, factors, strict=True)])


def roi(total_savings: Number, investment: Number) -> float | None:
    """Return on investment: ``total savings / extra month-0 investment``, when that is > 0.

    >>> roi(Decimal(95_200), Decimal(86_000))
    1.1069767441860465
    >>> roi(500, 0) is None
    True
    """
    if float(investment) <= 0:
        return None
    return float(Decimal(str(total_savings)) / Decimal(str(investment)))


def pmt(rate: Decimal, periods: int, principal: Decimal) -> Decimal:
    """Level payment repaying ``principal`` over ``periods`` at ``rate`` per period:
    ``P·r / (1 − (1 + r)^−n)``, and ``P / n`` at a zero rate (a positive amount paid).

    >>> pmt(Decimal("0.06") / 12, 36, Decimal(10_000)).quantize(Decimal("0.01"))
    Decimal('304.22')
    >>> pmt(Decimal(0), 4, Decimal(1000))
    Decimal('250')
    """
    if periods <= 0:
        raise ValueError("a lease needs at least one period")
    if rate == 0:
        return principal / periods
    return principal * rate / (1 - (1 + rate) ** -periods)


def brentq(
    function: Callable[[float], float],
    low: float,
    high: float,
    *,
    xtol: float = 1e-9,
    rtol: float = 1e-12,
    max_iterations: int = 200,
) -> float:
    """A root of ``function`` in ``[low, high]``, where its values at the ends differ in sign.

    Brent's method (inverse quadratic interpolation, secant and bisection steps, as in
    SciPy's ``brentq``): converges like the secant method on smooth functions and never
    slower than bisection, so it also finds the step of a monotone step function.

    >>> round(brentq(lambda x: x * x - 2, 0, 2), 9)
    1.414213562
    """
    a, b = float(low), float(high)
    fa, fb = function(a), function(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if (fa > 0) == (fb > 0):
        raise ValueError("brentq needs a bracket: the function must change sign")
    c, fc = a, fa
    d = e = b - a
    for _ in range(max_iterations):
        if (fb > 0) == (fc > 0):
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tolerance = 2 * rtol * abs(b) + xtol / 2
        half = (c - b) / 2
        if abs(half) <= tolerance or fb == 0:
            return b
        if abs(e) >= tolerance and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:
                p, q = 2 * half * s, 1 - s
            else:
                qa, r = fa / fc, fb / fc
                p = s * (2 * half * qa * (qa - r) - (b - a) * (r - 1))
                q = (qa - 1) * (r - 1) * (s - 1)
            if p > 0:
                q = -q
            p = abs(p)
            if 2 * p < min(3 * half * q - abs(tolerance * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = half
        else:
            d = e = half
        a, fa = b, fb
        b += d if abs(d) > tolerance else math.copysign(tolerance, half)
        fb = function(b)
    return b
