"""Erlang B against published table values.

The traffic values (Erlangs) are those of the standard Erlang B table for N channels at a
grade of service, as printed e.g. in R. L. Freeman, *Telecommunication System Engineering*
(Wiley), Appendix "Erlang B table", and reproduced in ITU-T's Teletraffic Engineering
Handbook (ITU-D SG2, 2005), table of the Erlang B formula. Each is rounded to three
decimals, so B(N, A) equals the grade of service to within the rounding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.erlang import channels_for, erlang_b

PUBLISHED = [
    # (channels, traffic in Erlangs, grade of service)
    (1, 0.0101, 0.01),
    (2, 0.153, 0.01),
    (5, 1.361, 0.01),
    (10, 4.461, 0.01),
    (20, 12.031, 0.01),
    (30, 20.337, 0.01),
    (50, 37.901, 0.01),
    (100, 84.064, 0.01),
    (10, 5.084, 0.02),
    (20, 13.182, 0.02),
    (30, 21.932, 0.02),
    (50, 40.255, 0.02),
    (10, 3.092, 0.001),
    (10, 6.216, 0.05),
]


@pytest.mark.parametrize(("n", "a", "gos"), PUBLISHED)
def test_blocking_matches_the_published_table(n: int, a: float, gos: float) -> None:
    assert erlang_b(n, a) == pytest.approx(gos, rel=6e-3)


@pytest.mark.parametrize(("n", "a", "gos"), PUBLISHED)
def test_channels_for_a_little_less_and_a_little_more_traffic(n: int, a: float, gos: float) -> None:
    assert channels_for(a * 0.995, gos) == n
    assert channels_for(a * 1.005, gos) == n + 1


def test_first_steps_by_hand() -> None:
    # B(1, A) = A / (1 + A); B(2, A) = A²/2 / (1 + A + A²/2).
    assert erlang_b(1, 2.0) == pytest.approx(2 / 3)
    assert erlang_b(2, 2.0) == pytest.approx(2 / 5)
    assert erlang_b(0, 7.0) == 1.0
    assert channels_for(0.0, 0.01) == 0


def test_large_systems_stay_stable() -> None:
    assert channels_for(5000.0, 0.01) == 5010
    assert 0 < erlang_b(10_000, 5000.0) < 1e-300 or erlang_b(10_000, 5000.0) == 0.0
    assert erlang_b(5000, 5000.0) == pytest.approx(0.0112, abs=5e-4)


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        erlang_b(10_001, 1.0)
    with pytest.raises(ValueError):
        erlang_b(10, 5000.1)
    with pytest.raises(ValueError):
        channels_for(1.0, 0.0)
    with pytest.raises(ValueError):
        channels_for(-1.0, 0.01)


@given(st.integers(0, 300), st.floats(0.01, 300.0))
def test_blocking_falls_with_every_channel(n: int, a: float) -> None:
    before, after = erlang_b(n, a), erlang_b(n + 1, a)
    assert after <= before <= 1.0
    assert after < before or before == 0.0


@given(st.floats(0.0, 500.0), st.sampled_from([0.001, 0.01, 0.02, 0.05]))
def test_channels_for_is_the_smallest_that_meets_the_grade(a: float, gos: float) -> None:
    n = channels_for(a, gos)
    if a == 0:
        assert n == 0  # no traffic needs no channel
        return
    assert erlang_b(n, a) <= gos
    assert n == 0 or erlang_b(n - 1, a) > gos
