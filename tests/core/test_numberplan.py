"""Number plan: categories, countries and prefixes, checked against phonenumbers itself
(parse / number_type / region_code_for_number as the oracle) and hand-picked cases."""

from __future__ import annotations

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType as T

from app.core.numberplan import (
    ExtensionRange,
    NumberPlan,
    NumberPlanError,
    normalise_numbers,
    parse_extension_ranges,
)

SHANGHAI = NumberPlan("CN", ("21",), "9")
MANHATTAN = NumberPlan("US", ("212", "646", "332", "917"))
ORACLE_TYPES = {
    T.PREMIUM_RATE: "premium",
    T.TOLL_FREE: "toll_free",
    T.SHARED_COST: "shared_cost",
    T.MOBILE: "mobile",
    T.VOIP: "national",
    T.PERSONAL_NUMBER: "national",
    T.PAGER: "national",
    T.UAN: "national",
    T.VOICEMAIL: "national",
}


def oracle(number: phonenumbers.PhoneNumber, plan: NumberPlan) -> tuple[str, str | None, str]:
    """DESIGN.md's categories computed one number at a time with phonenumbers."""
    region = phonenumbers.region_code_for_number(number)
    nsn = phonenumbers.national_significant_number(number)
    prefix = f"+{number.country_code} {nsn[:4]}"
    if region != plan.country:
        return "international", region, prefix
    kind = phonenumbers.number_type(number)
    if kind in (T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE):
        local = any(nsn.startswith(code) for code in plan.area_codes)
        return ("local" if local else "national"), region, prefix
    return ORACLE_TYPES.get(kind, "unknown"), region, prefix


REGIONS = ["CN", "US", "GB", "DE", "JP", "HK", "JM", "CA", "FR", "IN", "AU", "SG", "BS", "RU", "KZ"]
TYPES = [T.FIXED_LINE, T.MOBILE, T.TOLL_FREE, T.PREMIUM_RATE, T.SHARED_COST, T.VOIP, T.UAN]


@st.composite
def valid_numbers(draw: st.DrawFn) -> phonenumbers.PhoneNumber:
    region = draw(st.sampled_from(REGIONS))
    kind = draw(st.sampled_from(TYPES))
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        example = phonenumbers.example_number(region)
    assert example is not None
    nsn = phonenumbers.national_significant_number(example)
    keep = draw(st.integers(min_value=max(1, len(nsn) - 5), max_value=len(nsn)))
    tail = draw(st.text("0123456789", min_size=len(nsn) - keep, max_size=len(nsn) - keep))
    number = phonenumbers.parse(f"+{example.country_code}{nsn[:keep]}{tail}")
    return number


@settings(max_examples=400, deadline=None)
@given(valid_numbers(), st.sampled_from([SHANGHAI, MANHATTAN]))
def test_vectorised_classification_agrees_with_phonenumbers(
    number: phonenumbers.PhoneNumber, plan: NumberPlan
) -> None:
    if not phonenumbers.is_valid_number(number):
        return
    expected = oracle(number, plan)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    idd = "00" if plan.country == "CN" else "011"
    forms = [e164, idd + e164[1:]]
    if expected[1] == plan.country:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        digits = "".join(c for c in national if c.isdigit())
        as_local = phonenumbers.parse(plan.area_codes[0] + digits, plan.country)
        dialled_in_area = phonenumbers.number_type(as_local) in (
            T.FIXED_LINE,
            T.FIXED_LINE_OR_MOBILE,
        ) and phonenumbers.is_valid_number(as_local)
        if not digits.startswith("0") and dialled_in_area:
            # Written without the trunk prefix, it is the local number a caller reaches.
            expected_local = (
                "local",
                plan.country,
                f"+{as_local.country_code} {(plan.area_codes[0] + digits)[:4]}",
            )
            assert plan.classify_number(digits) == expected_local, digits
        else:
            forms.append(digits)
    for form in forms:
        assert plan.classify_number(form) == expected, form
    if plan.outside_prefix:
        assert plan.classify_number(plan.outside_prefix + forms[1], dialled=True) == expected


@pytest.mark.parametrize(
    ("plan", "number", "dialled", "expected"),
    [
        (SHANGHAI, "02155095961", False, ("local", "CN", "+86 2155")),
        (SHANGHAI, "69973567", False, ("local", "CN", "+86 2169")),  # local, no area code
        (SHANGHAI, "951395547", True, ("local", "CN", "+86 2151")),  # not Nantong 513
        (SHANGHAI, "057151317167", False, ("national", "CN", "+86 5715")),
        (SHANGHAI, "13851946352", False, ("mobile", "CN", "+86 1385")),
        (SHANGHAI, "98007828176", True, ("toll_free", "CN", "+86 8007")),
        (SHANGHAI, "94008201234", True, ("shared_cost", "CN", "+86 4008")),
        (SHANGHAI, "0012127364204", False, ("international", "US", "+1 2127")),
        (SHANGHAI, "+852 2123 4567", False, ("international", "HK", "+852 2123")),
        (SHANGHAI, "110", False, ("emergency", "CN", None)),
        (SHANGHAI, "9119", True, ("emergency", "CN", None)),
        (SHANGHAI, "10086", False, ("special", "CN", None)),
        (SHANGHAI, "95588", False, ("special", "CN", None)),
        (SHANGHAI, "", False, ("unknown", None, None)),
        (SHANGHAI, "Anonymous", False, ("unknown", None, None)),
        (MANHATTAN, "2125351525", False, ("local", "US", "+1 2125")),
        (MANHATTAN, "6465551234", False, ("local", "US", "+1 6465")),
        (MANHATTAN, "5351525", False, ("local", "US", "+1 2125")),
        (MANHATTAN, "16175433135", False, ("national", "US", "+1 6175")),
        (MANHATTAN, "18005551234", False, ("toll_free", "US", "+1 8005")),
        (MANHATTAN, "18765551234", False, ("international", "JM", "+1 8765")),
        (MANHATTAN, "14165550123", False, ("international", "CA", "+1 4165")),
        (MANHATTAN, "011442079460000", False, ("international", "GB", "+44 2079")),
        (MANHATTAN, "911", False, ("emergency", "US", None)),
    ],
)
def test_hand_picked_numbers(
    plan: NumberPlan, number: str, dialled: bool, expected: tuple[str, str | None, str | None]
) -> None:
    assert plan.classify_number(number, dialled=dialled) == expected


def test_the_outside_prefix_is_stripped_only_from_dialled_numbers() -> None:
    assert SHANGHAI.classify_number("913851946352", dialled=True)[0] == "mobile"
    assert SHANGHAI.classify_number("913851946352", dialled=False)[0] == "unknown"


def test_extensions_default_to_six_digits_but_never_short_numbers() -> None:
    numbers = pl.Series(
        ["8001", "123456", "1234567", "110", "119", "10086", "95588", "9110", "+8001"]
    )
    extensions = set(SHANGHAI.extensions_among(numbers).to_list())
    assert extensions == {"8001", "123456"}
    us = set(MANHATTAN.extensions_among(pl.Series(["911", "211", "4100", "4111"])).to_list())
    assert "911" not in us and "4100" in us


def test_extension_ranges() -> None:
    assert parse_extension_ranges("8000-8099, 200-299,555") == (
        ExtensionRange(8000, 8099, 4, 4),
        ExtensionRange(200, 299, 3, 3),
        ExtensionRange(555, 555, 3, 3),
    )
    plan = NumberPlan("CN", ("21",), "", parse_extension_ranges("8000-8099,200-299"))
    found = plan.extensions_among(
        pl.Series(["8000", "8099", "8100", "250", "0250", "110", "12345"])
    )
    assert sorted(found.to_list()) == ["250", "8000", "8099"]
    with pytest.raises(NumberPlanError):
        parse_extension_ranges("80-10")
    with pytest.raises(NumberPlanError):
        parse_extension_ranges("abc")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(NumberPlanError):
        NumberPlan("XX")
    with pytest.raises(NumberPlanError):
        NumberPlan("CN", ("2a",))
    with pytest.raises(NumberPlanError):
        NumberPlan("CN", (), "x")


def test_default_time_zone_comes_from_the_area_code() -> None:
    assert SHANGHAI.default_timezone() == "Asia/Shanghai"
    assert MANHATTAN.default_timezone() == "America/New_York"
    assert NumberPlan("US", ("213",)).default_timezone() == "America/Los_Angeles"


def test_repeated_numbers_are_classified_once_with_the_same_result() -> None:
    numbers = pl.Series(["13851946352", "02155095961", "0012127364204", "110"] * 600)
    repeated = SHANGHAI.classify(numbers)
    one_each = SHANGHAI.classify(numbers.head(4))
    assert repeated.height == 2400
    assert repeated.head(4).equals(one_each)
    assert repeated.tail(4).equals(one_each)


def test_keys_are_equal_for_every_way_of_writing_a_number() -> None:
    forms = pl.Series(["02155095961", "+862155095961", "00862155095961", "55095961"])
    classes = SHANGHAI.classify(forms)
    assert classes.select("cc", "nsn").unique().rows() == [("86", "2155095961")]


def test_normalise_numbers() -> None:
    values = pl.Series(["+1 (212) 555-0100", "8001", None, "Anonymous", "+"])
    assert normalise_numbers(values).to_list() == ["+12125550100", "8001", "", "", ""]


def test_classifying_in_parallel_slices_gives_the_same_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import app.core.numberplan as numberplan

    numbers = pl.Series(
        ["13851946352", "02155095961", "0012127364204", "110", "69973567", "", "+18765551234"] * 3
    )
    whole = SHANGHAI.classify(numbers)
    monkeypatch.setattr(numberplan, "PARALLEL_ROWS", 2)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 4)
    assert SHANGHAI.classify(numbers).equals(whole)
