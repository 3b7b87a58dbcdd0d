"""Each shared sample bill gives exactly its expected/*.json; several files make one profile."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.core.profile import AnalysisOptions, analyze_files
from app.core.usage import Category, Direction
from tests.core.conftest import SAMPLE_OPTIONS, SAMPLES, sample_bytes, summarise


@pytest.mark.parametrize("name", sorted(SAMPLE_OPTIONS))
def test_sample_gives_its_expected_summary(name: str) -> None:
    expected = json.loads((SAMPLES / "expected" / f"{name}.json").read_text())
    profile = analyze_files(
        [(f"{name}.csv", sample_bytes(name))], AnalysisOptions(**SAMPLE_OPTIONS[name])
    )
    got = summarise(profile, pbx="distinct_extensions" in expected)
    assert got.pop("busy_hour_erlangs") == pytest.approx(
        expected.pop("busy_hour_erlangs"), rel=1e-12
    )
    assert got == expected
    assert profile.rows.read == profile.rows.used == expected["calls"]
    assert profile.rows.skipped == 0


@pytest.mark.parametrize("name", sorted(SAMPLE_OPTIONS))
def test_histograms_are_exact(name: str) -> None:
    profile = analyze_files(
        [(f"{name}.csv", sample_bytes(name))], AnalysisOptions(**SAMPLE_OPTIONS[name])
    )
    for usage in profile.categories:
        histogram = usage.duration_histogram
        assert sum(histogram.values()) == usage.answered_calls
        assert sum(int(d) * n for d, n in histogram.items()) == usage.billable_seconds
    buckets = profile.buckets
    count, duration = buckets.column("count"), buckets.column("duration")
    assert int(count.sum()) == profile.totals.answered_calls
    assert int((duration * count).sum()) == profile.totals.billable_seconds
    for key in buckets.keys:
        assert key.prefix is None or key.prefix.startswith("+")


def test_the_carrier_bill_costs_are_exact_decimals() -> None:
    profile = analyze_files(
        [("bill.csv", sample_bytes("carrier-itemized-shanghai"))],
        AnalysisOptions(country="CN", area_codes=["21"]),
    )
    assert profile.currency == "CNY"
    shared = [
        u
        for u in profile.categories
        if u.direction is Direction.OUTBOUND and u.category is Category.SHARED_COST
    ]
    assert [u.billed_cost for u in shared] == [Decimal("27.72")]
    assert profile.talk_time_only
    assert [s.code for s in profile.signals] == ["talk_time_only"]


def test_no_phone_number_leaves_the_profile() -> None:
    data = sample_bytes("asterisk-master-shanghai")
    profile = analyze_files(
        [("m.csv", data)], AnalysisOptions(**SAMPLE_OPTIONS["asterisk-master-shanghai"])
    )
    text = profile.model_dump_json()
    numbers = {line.split(",")[1].strip('"') for line in data.decode().splitlines()}
    numbers |= {line.split(",")[2].strip('"') for line in data.decode().splitlines()}
    long_numbers = {n for n in numbers if len(n) >= 7}
    assert long_numbers
    assert not [n for n in long_numbers if n in text]


def test_the_same_bill_twice_counts_each_call_once() -> None:
    data = sample_bytes("asterisk-master-shanghai")
    options = AnalysisOptions(**SAMPLE_OPTIONS["asterisk-master-shanghai"])
    once = analyze_files([("a.csv", data)], options)
    twice = analyze_files([("a.csv", data), ("b.csv", data)], options)
    assert twice.totals == once.totals
    assert twice.categories == once.categories
    assert twice.rows.read == 10_000
    assert twice.rows.skipped_reasons == {"same call in another file": 5_000}


def test_a_quarter_of_bills_makes_one_profile() -> None:
    """Three months: the September bill and two copies shifted to October and November."""
    text = sample_bytes("asterisk-master-shanghai").decode()
    october = text.replace("2026-09-", "2026-10-")
    november = text.replace("2026-09-", "2026-11-")
    options = AnalysisOptions(**SAMPLE_OPTIONS["asterisk-master-shanghai"])
    profile = analyze_files(
        [("sep.csv", text.encode()), ("oct.csv", october.encode()), ("nov.csv", november.encode())],
        options,
    )
    assert profile.totals.calls == 15_000
    assert [m.month for m in profile.months] == ["2026-09", "2026-10", "2026-11"]
    assert [m.calls for m in profile.months] == [5_000, 5_000, 5_000]
    assert profile.period.days == 30 + 31 + 30
    assert profile.distinct_dids == 13


def test_a_pbx_export_and_a_carrier_bill_of_one_period_are_flagged_not_added() -> None:
    options = AnalysisOptions(country="CN", area_codes=["21"], outside_prefix="9")
    pbx = sample_bytes("asterisk-master-shanghai")
    carrier = sample_bytes("carrier-itemized-shanghai")
    profile = analyze_files([("pbx.csv", pbx), ("carrier.csv", carrier)], options)
    assert profile.totals.calls == 5_000
    assert profile.rows.skipped_reasons == {"carrier bill row in the period of a PBX export": 1501}
    overlap = [s for s in profile.signals if s.code == "pbx_and_carrier_overlap"]
    assert len(overlap) == 1 and overlap[0].figure == 30.0


def test_a_profile_survives_its_json() -> None:
    from app.core.usage import UsageProfile

    name = "asterisk-master-shanghai"
    profile = analyze_files(
        [("m.csv", sample_bytes(name))], AnalysisOptions(**SAMPLE_OPTIONS[name])
    )
    again = UsageProfile.model_validate_json(profile.model_dump_json())
    assert again == profile
    assert again.buckets.keys == profile.buckets.keys
    assert len(profile.buckets.keys) == len(profile.buckets.column("key_hour")) > 100
    assert again == profile  # still equal once the key objects are built
