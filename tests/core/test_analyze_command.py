"""``telroi analyze`` and ``telroi erlang-b`` as CONTRACT.md defines them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.core.conftest import SAMPLES


def test_analyze_json_prints_the_contract_profile(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "analyze",
            str(SAMPLES / "asterisk-master-shanghai.csv"),
            "--country",
            "CN",
            "--area-code",
            "21",
            "--outside-prefix",
            "9",
            "--json",
        ]
    )
    assert status == 0
    profile = json.loads(capsys.readouterr().out)
    for key in (
        "period",
        "rows",
        "totals",
        "categories",
        "busy_hour_erlangs",
        "peak_concurrent_calls",
        "recommended_channels",
        "distinct_extensions",
        "distinct_dids",
    ):
        assert key in profile
    assert profile["totals"] == {"calls": 5000, "answered_calls": 4139, "billable_seconds": 573108}
    assert profile["recommended_channels"] == {"gos": 0.01, "channels": 6}
    assert profile["period"]["days"] == 30.0
    assert profile["period"]["start"].endswith("+08:00")
    first = profile["categories"][0]
    assert set(first) >= {
        "direction",
        "category",
        "country",
        "calls",
        "answered_calls",
        "billable_seconds",
        "billed_cost",
        "duration_histogram",
    }
    assert all(isinstance(k, str) for k in first["duration_histogram"])


def test_analyze_several_files_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "analyze",
            str(SAMPLES / "carrier-itemized-newyork.csv"),
            "--country",
            "US",
            "--area-code",
            "212",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "737" in out and "talk_time_only" in out


def test_bad_input_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bill.csv"
    bad.write_text("who,what\n13812345678,hello\n")
    assert main(["analyze", str(bad), "--country", "CN"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "line 1" in err
    assert "13812345678" not in err


def test_missing_file_and_bad_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(tmp_path / "none.csv"), "--country", "CN"]) == 2
    assert "none.csv" in capsys.readouterr().err
    sample = str(SAMPLES / "carrier-itemized-newyork.csv")
    assert main(["analyze", sample, "--country", "ZZ"]) == 2
    assert main(["analyze", sample, "--country", "US", "--extensions", "9-1"]) == 2
    assert main(["analyze", sample, "--country", "US", "--timezone", "Nowhere/City"]) == 2
    assert main(["analyze", sample, "--country", "US", "--format", "cucm"]) == 2


def test_a_column_mapping_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bill = tmp_path / "odd.csv"
    bill.write_text("when;secs;who\n2026-09-01 10:00:00;61;13812345678\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"name": "odd", "start": "when", "duration": "secs", "number": "who"})
    )
    assert main(["analyze", str(bill), "--country", "CN", "--mapping", str(mapping), "--json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["categories"][0]["category"] == "mobile"


def test_erlang_b_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang-b", "--traffic", "4.461", "--gos", "0.0101", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["channels"] == 10
    assert result["traffic"] == 4.461 and result["gos"] == 0.0101
    assert result["blocking"] == pytest.approx(0.01, rel=1e-3)
    assert main(["erlang-b", "--traffic", "1.5647222222222221"]) == 0
    assert "6 channels" in capsys.readouterr().out
    assert main(["erlang-b", "--traffic", "-1"]) == 2
