"""Tariff files: schema, located errors, hashing, discount approvals, ``telroi tariffs check``."""

from __future__ import annotations

import argparse
import doctest
import json
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli import UsageError
from app.commands import tariffs as tariffs_command
from app.core import rating as rating_module
from app.core import tariffs as tariffs_module
from app.core.tariffs import (
    Approval,
    TariffError,
    check_tariff_dir,
    content_hash,
    load_tariff,
    normalise_prefix,
    parse_increment,
    parse_tariff,
    tariff_json_schema,
    tariff_paths,
)

ROOT = Path(__file__).resolve().parents[2]
TARIFFS = ROOT / "tariffs"

GOOD = """\
name: Test trunk
kind: sip_trunk
currency: CNY
usage:
  time_bands:
    night:
      - {days: [mon, tue, wed, thu, fri, sat, sun], from_hour: 0, to_hour: 7}
  rates:
    - category: local
      increment: 180/60
      first_price: 0.22
      rate_per_minute: 0.11
    - {category: national, band: night, increment: 6/6, rate_per_minute: 0.35}
"""


def problem_of(text: str) -> str:
    with pytest.raises(TariffError) as caught:
        parse_tariff(text, "offer.yaml")
    return str(caught.value)


def test_a_valid_tariff_keeps_prices_exact() -> None:
    tariff = parse_tariff(GOOD, "offer.yaml")
    local = tariff.usage.rates[0]
    assert local.first_price == Decimal("0.22")  # not 0.2200000000000000011…
    assert local.rate_per_minute == Decimal("0.11")
    assert (local.first_seconds, local.step_seconds) == (180, 60)
    # the default first price is a/60 × rate: 6/60 × 0.35 = 0.035
    assert tariff.usage.rates[1].first_period_price == Decimal("0.035")


def test_bad_yaml_names_the_line() -> None:
    message = problem_of("name: x\nkind: pstn\nusage: [unclosed\n")
    assert message.startswith("offer.yaml:4:")
    assert "bad YAML" in message


def test_unknown_field_names_its_line_and_column() -> None:
    message = problem_of(GOOD + "    - {category: mobile, rate_per_minute: 0.1, colour: red}\n")
    assert "offer.yaml:14:" in message
    assert "usage.rates.2.colour: unknown field" in message


def test_negative_price() -> None:
    message = problem_of(GOOD.replace("rate_per_minute: 0.11", "rate_per_minute: -0.11"))
    assert "offer.yaml:12:24: usage.rates.0.rate_per_minute:" in message
    assert "greater than or equal to 0" in message


def test_usage_prices_have_at_most_six_decimals() -> None:
    message = problem_of(GOOD.replace("rate_per_minute: 0.11", "rate_per_minute: 0.1234567"))
    assert "usage.rates.0.rate_per_minute: at most 6 decimal places" in message


def test_unknown_category() -> None:
    message = problem_of(GOOD.replace("category: local", "category: locall"))
    assert "offer.yaml:9:17: usage.rates.0.category: unknown category 'locall'" in message


def test_overlapping_time_bands() -> None:
    text = GOOD.replace(
        "  rates:\n",
        "    evening:\n      - {days: [fri], from_hour: 18, to_hour: 24}\n"
        "      - {days: [sat], from_hour: 6, to_hour: 9}\n  rates:\n",
    )
    message = problem_of(text)
    # Saturday 06:00–07:00 is in both bands: the second window of 'evening' (line 10)
    assert "offer.yaml:10:9: usage.time_bands.evening.1: overlaps time band 'night'" in message


def test_prefix_finer_than_a_profile_can_rate() -> None:
    text = GOOD + "    - {category: international, prefix: '+44 79112', rate_per_minute: 1}\n"
    message = problem_of(text)
    assert "offer.yaml:14:" in message
    assert "usage.rates.2.prefix" in message
    assert "finer than a profile can rate" in message


def test_cross_field_problems() -> None:
    text = GOOD + (
        "    - {category: national, band: weekend, rate_per_minute: 0.5}\n"
        "    - {category: international, country: US, prefix: '+44 7', rate_per_minute: 1}\n"
        "    - {category: local, increment: 60/60, rate_per_minute: 0.12}\n"
    )
    message = problem_of(text)
    assert "offer.yaml:14:" in message and "no time band named 'weekend'" in message
    assert "offer.yaml:15:" in message and "+44 7 is not a prefix of US" in message
    assert "offer.yaml:16:" in message and "duplicates rate 0" in message


def test_missing_field_and_wrong_kind() -> None:
    message = problem_of("name: x\nkind: fax\n")
    assert "offer.yaml:2:7: kind: unknown kind 'fax'" in message
    assert "currency: Field required" in message


def test_validity_dates_in_order() -> None:
    text = GOOD + "valid_from: 2026-06-01\nvalid_until: 2026-01-01\n"
    assert "offer.yaml:15:14: valid_until: is before valid_from" in problem_of(text)


@pytest.mark.parametrize("module", [tariffs_module, rating_module])
def test_doctests(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


def test_tax_needs_percent_or_amount() -> None:
    text = GOOD + "taxes:\n  - {name: VAT, basis: usage, amount: 3}\n"
    assert "taxes.0: a tax on usage takes 'percent'" in problem_of(text)


def test_content_hash_ignores_line_endings_only() -> None:
    assert content_hash(GOOD) == content_hash(GOOD.replace("\n", "\r\n"))
    assert content_hash(GOOD) != content_hash(GOOD + "note: changed\n")
    # SHA-256 of the empty string, a published test vector
    assert content_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_discount_approvals_by_tier() -> None:
    # cn-sip-trunk: from 0: rep 5, manager 10, director 15; from 5,000: 8/15/20
    sip = load_tariff(TARIFFS / "cn-sip-trunk.yaml")
    approve = sip.required_approval
    assert approve(Decimal(1000), Decimal(5)) is Approval.REP
    assert approve(Decimal(1000), Decimal(8)) is Approval.MANAGER
    assert approve(Decimal(6000), Decimal(8)) is Approval.REP
    assert approve(Decimal(6000), Decimal(20)) is Approval.DIRECTOR
    assert approve(Decimal(6000), Decimal("20.5")) is Approval.SPECIAL
    onprem = load_tariff(TARIFFS / "cn-onprem-ippbx.yaml")  # no policy: any discount is special
    assert onprem.required_approval(Decimal(100), Decimal(1)) is Approval.SPECIAL


def test_shipped_directory_is_valid_and_schema_is_current() -> None:
    loaded, problems = check_tariff_dir(TARIFFS)
    assert problems == []
    kinds = {(f.tariff.currency, f.tariff.kind) for f in loaded}
    assert {("CNY", k) for k in ("pstn", "sip_trunk", "hosted_pbx", "onprem_pbx")} <= kinds
    assert {("USD", k) for k in ("pstn", "sip_trunk", "hosted_pbx", "onprem_pbx")} <= kinds
    shipped = json.loads((TARIFFS / "tariff.schema.json").read_text(encoding="utf-8"))
    assert shipped == tariff_json_schema()


def test_readme_documents_every_field() -> None:
    readme = (TARIFFS / "README.md").read_text(encoding="utf-8")
    schema = tariff_json_schema()
    fields = set(schema["properties"])
    for definition in schema["$defs"].values():
        fields |= set(definition.get("properties", {}))
    missing = sorted(name for name in fields if f"`{name}`" not in readme)
    assert missing == []


def run_check(directory: Path) -> int:
    parser = argparse.ArgumentParser()
    tariffs_command.add(parser.add_subparsers())
    args = parser.parse_args(["tariffs", "check", str(directory)])
    result: int = args.func(args)
    return result


def test_cli_check_accepts_the_shipped_tariffs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(TARIFFS) == 0
    assert f"{len(tariff_paths(TARIFFS))} tariff file(s) valid" in capsys.readouterr().out


def test_cli_check_names_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(GOOD.replace("0.11", "-1"), encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        run_check(tmp_path)
    assert f"{tmp_path / 'bad.yaml'}:12:24: usage.rates.0.rate_per_minute" in str(caught.value)
    assert "good.yaml" not in str(caught.value)


def test_cli_check_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no tariff files"):
        run_check(tmp_path)


@given(st.integers(1, 3600), st.integers(1, 3600))
def test_increment_round_trip(first: int, step: int) -> None:
    assert parse_increment(f"{first}/{step}") == (first, step)


@given(
    st.sampled_from(["1", "44", "86", "852", "971"]),
    st.text(alphabet="0123456789", max_size=6),
)
def test_prefix_normalisation(country_code: str, national: str) -> None:
    text = f"+{country_code} {national}"
    if len(national) > 4:
        with pytest.raises(ValueError, match="finer than a profile"):
            normalise_prefix(text)
    else:
        normal = normalise_prefix(text)
        assert normal == (f"+{country_code} {national}" if national else f"+{country_code}")
        assert normalise_prefix(normal) == normal  # idempotent
        assert normalise_prefix(normal.replace(" ", "")) == normal  # the country code is found
