"""Property tests: readers fed random, truncated or mangled input raise only BillError."""

from __future__ import annotations

import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.bills import BillError, BillFormat, read_file
from app.core.profile import AnalysisOptions, analyze_files
from tests.core.conftest import SAMPLE_OPTIONS, sample_bytes

SAMPLE_HEADS = {name: sample_bytes(name)[:6000] for name in SAMPLE_OPTIONS}
FORMATS = list(BillFormat)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read_or_bill_error(data: bytes, fmt: BillFormat = BillFormat.AUTO) -> None:
    try:
        result = read_file("input.csv", data, format=fmt, timezone="Asia/Shanghai")
    except BillError as error:
        assert error.file == "input.csv"
        return
    assert result.calls.height >= 1
    assert result.rows_read >= result.calls.height


@PROPERTY
@given(st.binary(max_size=2000), st.sampled_from(FORMATS))
def test_random_bytes_only_raise_bill_error(data: bytes, fmt: BillFormat) -> None:
    _read_or_bill_error(data, fmt)


@PROPERTY
@given(st.sampled_from(sorted(SAMPLE_HEADS)), st.integers(0, 6000), st.sampled_from(FORMATS))
def test_truncated_samples_only_raise_bill_error(name: str, cut: int, fmt: BillFormat) -> None:
    _read_or_bill_error(SAMPLE_HEADS[name][:cut], fmt)


@PROPERTY
@given(
    st.sampled_from(sorted(SAMPLE_HEADS)),
    st.lists(st.tuples(st.integers(0, 5999), st.binary(min_size=1, max_size=3)), max_size=8),
)
def test_mangled_samples_only_raise_bill_error(name: str, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(SAMPLE_HEADS[name])
    for position, replacement in edits:
        data[position : position + len(replacement)] = replacement
    _read_or_bill_error(bytes(data))


@PROPERTY
@given(
    st.text(alphabet=st.sampled_from(list(',;\t"\r\n0123456789:-/ 主叫被叫秒分abc')), max_size=400)
)
def test_csv_like_text_only_raises_bill_error(text: str) -> None:
    header = "Date,Time,Direction,Number,Duration,Charge\n"
    _read_or_bill_error((header + text).encode())
    _read_or_bill_error(text.encode("gb18030"))


@PROPERTY
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-(10**6), 10**6),
                st.text(st.characters(min_codepoint=32, max_codepoint=0x9FFF), max_size=12),
                st.floats(allow_nan=False),
            ),
            max_size=6,
        ),
        max_size=6,
    )
)
def test_random_xlsx_cells_only_raise_bill_error(rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Date", "Time", "Direction", "Number", "Duration", "Charge"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _read_or_bill_error(buffer.getvalue())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4999))
def test_any_cut_of_the_asterisk_sample_profiles_its_complete_rows(lines: int) -> None:
    """Cutting the bill after ``lines`` rows reads exactly those rows."""
    text = sample_bytes("asterisk-master-shanghai").decode().splitlines()
    data = "\n".join(text[:lines]).encode()
    profile = analyze_files(
        [("m.csv", data)], AnalysisOptions(**SAMPLE_OPTIONS["asterisk-master-shanghai"])
    )
    assert profile.rows.read == lines
    assert profile.totals.calls == lines
