"""Usage profile on small bills worked out by hand: busy hour, peak, matrix, counts,
signals; and profiles built from entered figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.erlang import erlang_b
from app.core.profile import (
    AnalysisOptions,
    EnteredCategory,
    EnteredFigures,
    analyze_files,
    offered_traffic,
    profile_from_figures,
)
from app.core.usage import Category, Direction, UsageProfile
from tests.core.test_bills_formats import asterisk_row

CN = AnalysisOptions(country="CN", area_codes=["21"], outside_prefix="9")


def call(src: str, dst: str, start: str, end: str, talk: int, answered: bool = True) -> str:
    """A Master.csv row from ``start`` to ``end`` (same day, HH:MM:SS) with ``talk`` s."""
    from datetime import datetime

    day = "2026-09-01 "
    seconds = int(
        (datetime.fromisoformat(day + end) - datetime.fromisoformat(day + start)).total_seconds()
    )
    answer = day + start if answered else None
    return asterisk_row(
        src,
        dst,
        day + start,
        answer,
        day + end,
        seconds,
        talk if answered else 0,
        "ANSWERED" if answered else "NO ANSWER",
    )


def profile_of(rows: list[str], options: AnalysisOptions = CN) -> UsageProfile:
    return analyze_files([("Master.csv", ("\n".join(rows) + "\n").encode())], options)


HAND_WORKED = [
    call("8001", "913812345678", "10:30:00", "11:30:00", 3590),  # A: 1800 s in 10h, 1800 in 11h
    call("13912345678", "63001000", "10:45:00", "11:00:00", 880),  # B: 900 s in 10h
    call("8002", "902155512345", "11:00:00", "11:10:00", 0, answered=False),  # C: 600 s in 11h
    call("8003", "8004", "10:00:00", "12:00:00", 7000),  # internal: no trunk traffic
]


def test_busy_hour_peak_and_channels_by_hand() -> None:
    profile = profile_of(HAND_WORKED)
    # Hour 10: 1800 + 900 = 2700 s = 0.75 E; hour 11: 1800 + 600 = 2400 s.
    assert profile.busy_hour_erlangs == pytest.approx(0.75)
    # B ends at 11:00:00 when C starts: half-open intervals do not overlap.
    assert profile.peak_concurrent_calls == 2
    # B(3, 0.75) = 0.0335 > 1 % ≥ B(4, 0.75) = 0.0062 → 4 channels.
    assert erlang_b(3, 0.75) > 0.01 >= erlang_b(4, 0.75)
    assert profile.recommended_channels.channels == 4
    assert profile.recommended_channels.gos == 0.01


def test_period_matrix_and_days_by_hand() -> None:
    profile = profile_of(HAND_WORKED)
    assert profile.period.start == "2026-09-01T10:00:00+08:00"
    assert profile.period.end == "2026-09-01T11:00:00+08:00"
    assert profile.period.days == 1.0
    tuesday = profile.weekday_hour_erlangs[1]  # 2026-09-01 is a Tuesday
    assert tuesday[10] == pytest.approx(0.75)
    assert tuesday[11] == pytest.approx(2400 / 3600)
    assert sum(map(sum, profile.weekday_hour_erlangs)) == pytest.approx(5100 / 3600)
    assert [d.model_dump() for d in profile.days] == [
        {"date": "2026-09-01", "calls": 3, "busy_hour_erlangs": pytest.approx(0.75)}
    ]


def test_totals_categories_and_counts_by_hand() -> None:
    profile = profile_of(HAND_WORKED)
    assert profile.totals.model_dump() == {
        "calls": 4,
        "answered_calls": 3,
        "billable_seconds": 3590 + 880 + 7000,
    }
    lines = {
        (u.direction.value, u.category.value, u.country): (
            u.calls,
            u.answered_calls,
            u.billable_seconds,
            u.duration_histogram,
        )
        for u in profile.categories
    }
    assert lines == {
        ("outbound", "mobile", "CN"): (1, 1, 3590, {"3590": 1}),
        ("inbound", "mobile", "CN"): (1, 1, 880, {"880": 1}),
        ("outbound", "local", "CN"): (1, 0, 0, {}),
        ("internal", "internal", None): (1, 1, 7000, {"7000": 1}),
    }
    assert profile.distinct_extensions == 4  # 8001, 8002, 8003, 8004
    assert profile.distinct_dids == 1
    assert profile.months[0].model_dump() == {
        "month": "2026-09",
        "calls": 4,
        "answered_calls": 3,
        "billable_seconds": 11470,
        "billed_cost": None,
    }
    keys = {(k.direction.value, k.prefix, k.hour_of_week, k.month) for k in profile.buckets.keys}
    assert keys == {
        ("outbound", "+86 1381", 24 + 10, "2026-09"),
        ("inbound", "+86 1391", 24 + 10, "2026-09"),
        ("internal", None, 24 + 10, "2026-09"),
    }


def test_inbound_calls_to_own_toll_free_number_take_its_class() -> None:
    rows = [call("13912345678", "8008201234", "10:00:00", "10:01:00", 55)]
    (usage,) = profile_of(rows).categories
    assert (usage.direction, usage.category) == (Direction.INBOUND, Category.TOLL_FREE)


def test_extension_ranges_decide_direction() -> None:
    rows = [call("200", "8001", "10:00:00", "10:01:00", 50)]
    default = profile_of(rows)
    assert default.categories[0].direction is Direction.INTERNAL
    ranged = profile_of(rows, CN.model_copy(update={"extensions": "8000-8099"}))
    assert ranged.categories[0].direction is Direction.INBOUND


def test_signals_each_carry_figure_and_threshold() -> None:
    rows = []
    for i in range(100):  # an autodialer: 90 unanswered, 10 short answered calls to one number
        minute = f"{10 + i // 60:02d}:{i % 60:02d}"
        rows.append(
            call("8001", "913812345678", f"{minute}:00", f"{minute}:20", 5, answered=i % 10 == 0)
        )
    rows.append(call("8001", "9001442079460000", "12:00:00", "12:10:00", 590))
    profile = profile_of(rows, CN.model_copy(update={"current_lines": 1}))
    signals = {s.code: (s.figure, s.threshold) for s in profile.signals}
    assert signals["autodialer_like"] == (pytest.approx(100 / 101), 0.5)
    assert signals["international_or_premium_heavy"] == (pytest.approx(590 / 640), 0.2)
    assert signals["concentrated_destinations"] == (pytest.approx(1.0), 0.5)
    assert signals["peak_at_line_count"] == (1.0, 1.0)
    assert "talk_time_only" not in signals


def test_buckets_stay_exact_with_a_call_of_three_years() -> None:
    """A billable time too long to pack with its bucket into one sort key (10⁸ s) still
    gives buckets that add up to the categories' histograms, call by call."""
    long_call = asterisk_row(
        "8001",
        "9001442079460000",
        "2026-09-01 10:00:00",
        "2026-09-01 10:00:05",
        "2029-09-01 10:00:00",
        100_000_005,
        100_000_000,
        "ANSWERED",
    )
    rows = [*HAND_WORKED, long_call, call("8002", "913812345678", "12:00:00", "12:01:00", 55)]
    profile = profile_of(rows)
    histograms = {
        (u.direction.value, u.category.value, u.country): u.duration_histogram
        for u in profile.categories
    }
    assert histograms[("outbound", "international", None)] == {"100000000": 1}
    assert histograms[("outbound", "mobile", "CN")] == {"55": 1, "3590": 1}
    rebuilt: dict[tuple[str, str, str | None], dict[str, int]] = {}
    columns = (profile.buckets.column(name).tolist() for name in ("key", "duration", "count"))
    for key, seconds, count in zip(*columns, strict=True):
        bucket = profile.buckets.keys[key]
        line = (bucket.direction.value, bucket.category.value, bucket.country)
        rebuilt.setdefault(line, {})
        rebuilt[line][str(seconds)] = rebuilt[line].get(str(seconds), 0) + count
    assert rebuilt == {line: h for line, h in histograms.items() if h}
    assert profile.peak_concurrent_calls == 3  # the long call overlaps the HAND_WORKED A and B


def test_many_dids_with_little_inbound_traffic() -> None:
    rows = [call("13912345678", f"6300100{i}", f"1{i}:00:00", f"1{i}:01:00", 60) for i in range(6)]
    profile = profile_of(rows)
    (signal,) = [s for s in profile.signals if s.code == "idle_dids"]
    # 6 minutes over 1 day scaled to 30.4375 days, over 6 DIDs.
    assert signal.figure == pytest.approx(6 * 30.4375 / 6)
    assert signal.threshold == 60.0


def test_time_zone_default_and_override() -> None:
    profile = profile_of(HAND_WORKED, CN.model_copy(update={"timezone": "Europe/Berlin"}))
    assert profile.period.start == "2026-09-01T10:00:00+02:00"
    with pytest.raises(ValueError):
        profile_of(HAND_WORKED, CN.model_copy(update={"timezone": "Mars/Olympus"}))


def test_entered_figures_give_the_same_shape_marked_entered() -> None:
    figures = EnteredFigures(
        month="2026-09",
        categories=[
            EnteredCategory(
                direction=Direction.OUTBOUND,
                category=Category.MOBILE,
                country="CN",
                calls=3,
                minutes=10,
                billed_cost=Decimal("1.50"),
            ),
            EnteredCategory(
                direction=Direction.INBOUND,
                category=Category.LOCAL,
                country="CN",
                calls=2,
                minutes=3,
            ),
        ],
        busy_hour_calls=20,
    )
    profile = profile_from_figures(figures)
    assert profile.source == "entered"
    mobile, local = profile.categories
    # 600 s over 3 calls: exactly 200 s each; 180 s over 2 calls: 90 s each.
    assert mobile.duration_histogram == {"200": 3}
    assert local.duration_histogram == {"90": 2}
    uneven = profile_from_figures(
        figures.model_copy(
            update={"categories": [figures.categories[0].model_copy(update={"minutes": 10.05})]}
        )
    )
    # 603 s over 3 calls → 201 s each; 10.0333 min → 602 s → 200, 201, 201.
    assert uneven.categories[0].duration_histogram == {"201": 3}
    # A = 20 calls × (780 s / 5 calls) / 3600 s.
    assert profile.busy_hour_erlangs == pytest.approx(20 * 156 / 3600)
    assert profile.period.days == 30.0
    assert profile.months[0].billed_cost == Decimal("1.50")
    assert UsageProfile.model_validate_json(profile.model_dump_json()) == profile


def test_entered_current_lines_size_by_the_traffic_they_carry() -> None:
    figures = EnteredFigures(
        month="2026-02",
        categories=[
            EnteredCategory(
                direction=Direction.OUTBOUND, category=Category.LOCAL, calls=100, minutes=300
            )
        ],
        current_lines=10,
    )
    profile = profile_from_figures(figures)
    assert profile.busy_hour_erlangs == pytest.approx(offered_traffic(10, 0.01))
    assert profile.busy_hour_erlangs == pytest.approx(4.461, abs=1e-3)  # published table
    assert profile.recommended_channels.channels == 10
    assert profile.period.days == 28.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 86_399), st.integers(0, 7_200)), min_size=1, max_size=25))
def test_busy_hour_and_peak_agree_with_a_second_by_second_count(
    intervals: list[tuple[int, int]],
) -> None:
    from datetime import datetime, timedelta

    day = datetime(2026, 9, 1)
    rows = []
    for start, length in intervals:
        begin, end = day + timedelta(seconds=start), day + timedelta(seconds=start + length)
        rows.append(
            asterisk_row(
                "8001",
                "913812345678",
                f"{begin:%Y-%m-%d %H:%M:%S}",
                None,
                f"{end:%Y-%m-%d %H:%M:%S}",
                length,
                0,
                "NO ANSWER",
            )
        )
    profile = profile_of(rows)
    horizon = max(s + n for s, n in intervals) + 1
    in_progress = [0] * horizon
    for start, length in intervals:
        for t in range(start, start + length):
            in_progress[t] += 1
    assert profile.peak_concurrent_calls == max(in_progress)
    hours = [sum(in_progress[h * 3600 : (h + 1) * 3600]) for h in range(horizon // 3600 + 1)]
    assert profile.busy_hour_erlangs == pytest.approx(max(hours) / 3600)


def test_progress_is_reported_from_0_to_1() -> None:
    seen: list[float] = []
    data = ("\n".join(HAND_WORKED) + "\n").encode()
    analyze_files([("a.csv", data), ("b.csv", data)], CN, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert 0.25 in seen and 0.5 in seen
