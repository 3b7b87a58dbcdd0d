"""The usage profile's packed buckets: JSON form, the accepted inputs, and what is refused."""

from __future__ import annotations

import base64
import json
import struct

import pytest
from pydantic import ValidationError

from app.core.usage import BucketKey, Category, Direction, DurationBuckets, pack

KEYS = [
    BucketKey(
        direction=Direction.OUTBOUND,
        category=Category.MOBILE,
        country="CN",
        prefix="+86 1381",
        hour_of_week=34,
        month="2026-09",
    ),
    BucketKey(
        direction=Direction.INBOUND,
        category=Category.LOCAL,
        country="CN",
        prefix=None,
        hour_of_week=167,
        month="2026-10",
    ),
]


def test_columns_are_little_endian_int32_as_base64_in_json() -> None:
    buckets = DurationBuckets(keys=KEYS, key=[0, 0, 1], duration=[55, 3590, 0], count=[2, 1, 7])
    data = json.loads(buckets.model_dump_json())
    # Written out by hand: 55, 3590 and 0 as 4-byte little-endian integers.
    assert base64.b64decode(data["duration"]) == struct.pack("<3i", 55, 3590, 0)
    assert data["lines"] == [["outbound", "mobile", "CN"], ["inbound", "local", "CN"]]
    assert data["prefixes"] == ["+86 1381", None]
    assert data["months"] == ["2026-09", "2026-10"]
    assert base64.b64decode(data["key_hour"]) == struct.pack("<2i", 34, 167)
    again = DurationBuckets.model_validate_json(json.dumps(data))
    assert again == buckets
    assert again.keys == KEYS
    assert again.column("count").tolist() == [2, 1, 7]


def test_the_earlier_unpacked_form_is_read_as_the_same_buckets() -> None:
    earlier = {
        "key_direction": ["outbound", "inbound"],
        "key_category": ["mobile", "local"],
        "key_country": ["CN", "CN"],
        "key_prefix": ["+86 1381", None],
        "key_hour": [34, 167],
        "key_month": ["2026-09", "2026-10"],
        "key": [0, 0, 1],
        "duration": [55, 3590, 0],
        "count": [2, 1, 7],
    }
    buckets = DurationBuckets.model_validate(earlier)
    assert buckets.keys == KEYS
    assert buckets == DurationBuckets(
        keys=KEYS, key=[0, 0, 1], duration=[55, 3590, 0], count=[2, 1, 7]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duration": "not base64!"}, "a bucket column must be base64 text"),
        ({"duration": base64.b64encode(b"\x01\x02\x03").decode()}, "whole 32-bit numbers"),
        ({"count": [1, 2]}, "the row columns, differ in length"),
        ({"key": [0, 0, 2]}, "key holds a value outside 0 … 1"),
        ({"key_hour": [34, 168]}, "key_hour holds a value outside 0 … 167"),
        ({"count": [2, -1, 7]}, "count holds a negative value"),
        ({"duration": [2**31, 0, 0]}, "32-bit whole numbers"),
    ],
)
def test_inconsistent_buckets_are_refused_naming_the_column(
    change: dict[str, object], message: str
) -> None:
    good = DurationBuckets(keys=KEYS, key=[0, 0, 1], duration=[55, 3590, 0], count=[2, 1, 7])
    data = {**json.loads(good.model_dump_json()), **change}
    with pytest.raises(ValidationError, match=message):
        DurationBuckets.model_validate(data)


def test_pack_refuses_numbers_beyond_32_bits() -> None:
    assert pack([2**31 - 1, -(2**31)]) == struct.pack("<2i", 2**31 - 1, -(2**31))
    with pytest.raises(ValueError, match="32-bit"):
        pack([2**31])
