"""Each reader on small bills written here: layouts, encodings, separators, XLSX, CUCM,
legs of one call, skipped rows, and errors that name file, line and column."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from app.core.bills import BillError, BillFormat, ColumnMapping, read_calls, read_file
from app.core.bills.generic import parse_costs, parse_durations, parse_generic_datetimes
from app.core.profile import AnalysisOptions, analyze_files

CN = AnalysisOptions(country="CN", area_codes=["21"], outside_prefix="9")


def asterisk_row(
    src: str,
    dst: str,
    start: str,
    answer: str | None,
    end: str,
    duration: int,
    billsec: int,
    disposition: str,
    extra: list[str] | None = None,
) -> str:
    answer_field = f'"{answer}"' if answer else ""
    fields = [
        '""',
        f'"{src}"',
        f'"{dst}"',
        '"from-internal"',
        f'"""{src}"" <{src}>"',
        '"SIP/a-1"',
        '"SIP/b-2"',
        '"Dial"',
        '"SIP/trunk,60"',
        f'"{start}"',
        answer_field,
        f'"{end}"',
        str(duration),
        str(billsec),
        f'"{disposition}"',
        '"DOCUMENTATION"',
    ]
    fields += [f'"{x}"' for x in (extra or [])]
    return ",".join(fields)


def test_asterisk_16_17_and_21_columns() -> None:
    base = (
        "8001",
        "913812345678",
        "2026-09-01 10:00:00",
        "2026-09-01 10:00:05",
        "2026-09-01 10:01:05",
        65,
        60,
        "ANSWERED",
    )
    for extra in ([], ["1788.1"], ["1788.1", "", "", "1788.1", "7"]):
        data = (asterisk_row(*base, extra=extra) + "\n").encode()
        read = read_file("Master.csv", data)
        assert read.format is BillFormat.ASTERISK
        row = read.calls.row(0, named=True)
        assert (row["caller"], row["callee"], row["hold_s"], row["billsec"]) == (
            "8001",
            "913812345678",
            65,
            60,
        )
        assert row["answered"] is True


def test_asterisk_unanswered_call_has_an_empty_answer_field() -> None:
    line = asterisk_row(
        "8001",
        "90215551234",
        "2026-09-01 10:00:00",
        None,
        "2026-09-01 10:00:20",
        20,
        0,
        "NO ANSWER",
    )
    assert ",," in line
    read = read_file("Master.csv", (line + "\r\n").encode())
    row = read.calls.row(0, named=True)
    assert row["answered"] is False and row["hold_s"] == 20


def test_asterisk_legs_sharing_a_linkedid_count_once_on_the_trunk_leg() -> None:
    """An inbound call rings the trunk leg then an internal transfer leg (same linkedid)."""
    trunk = asterisk_row(
        "13812345678",
        "63001000",
        "2026-09-01 10:00:00",
        "2026-09-01 10:00:03",
        "2026-09-01 10:02:03",
        123,
        120,
        "ANSWERED",
        ["1.1", "", "", "1.1", "1"],
    )
    transfer = asterisk_row(
        "8001",
        "8002",
        "2026-09-01 10:01:00",
        "2026-09-01 10:01:02",
        "2026-09-01 10:02:03",
        63,
        61,
        "ANSWERED",
        ["1.2", "", "", "1.1", "2"],
    )
    other = asterisk_row(
        "8003",
        "8004",
        "2026-09-01 11:00:00",
        "2026-09-01 11:00:02",
        "2026-09-01 11:01:00",
        60,
        58,
        "ANSWERED",
        ["2.1", "", "", "2.1", "1"],
    )
    data = "\n".join([transfer, trunk, other]).encode()
    profile = analyze_files([("Master.csv", data)], CN)
    assert profile.totals.calls == 2
    assert profile.rows.skipped_reasons == {"another leg of a counted call": 1}
    lines = {(u.direction.value, u.category.value): u.calls for u in profile.categories}
    assert lines == {("inbound", "mobile"): 1, ("internal", "internal"): 1}


def test_asterisk_blank_source_takes_the_caller_id_number() -> None:
    """An empty ``src`` falls back to the number in ``clid``'s angle brackets."""
    named = asterisk_row(
        "13912345678",
        "63001000",
        "2026-09-01 10:00:00",
        None,
        "2026-09-01 10:00:09",
        9,
        0,
        "NO ANSWER",
    )
    named = named.replace('"13912345678"', '""', 1).replace(
        '"""13912345678"" <13912345678>"', '"""Alice"" <13912345678>"'
    )
    plain = asterisk_row(
        "8001", "8002", "2026-09-01 10:05:00", None, "2026-09-01 10:05:04", 4, 0, "BUSY"
    )
    read = read_file("Master.csv", f"{named}\n{plain}\n".encode())
    assert read.calls.get_column("caller").to_list() == ["13912345678", "8001"]
    assert read.calls.get_column("answered").to_list() == [False, False]


FREESWITCH = [
    '"8018","8018","8020","default","2026-09-01 01:24:20","2026-09-01 01:24:30",'
    '"2026-09-01 01:24:36","16","6","NORMAL_CLEARING","a1","","","PCMA","PCMA"',
    '"8041","8041","902155512345","default","2026-09-01 09:06:02","",'
    '"2026-09-01 09:06:19","17","0","NO_ANSWER","a2","","","PCMA","PCMA"',
]


def test_freeswitch_example_template() -> None:
    read = read_file("Master.csv", "\n".join(FREESWITCH).encode())
    assert read.format is BillFormat.FREESWITCH
    assert read.calls.get_column("answered").to_list() == [True, False]
    assert read.calls.get_column("hold_s").to_list() == [16, 17]


def test_freeswitch_a_and_b_legs_count_once() -> None:
    a_leg = (
        '"8019","8019","902155512345","default","2026-09-01 07:39:57","2026-09-01 07:40:07",'
        '"2026-09-01 07:43:02","185","175","NORMAL_CLEARING","a9","b9","","PCMA","PCMA"'
    )
    b_leg = (
        '"8019","63001000","02155512345","default","2026-09-01 07:39:58","2026-09-01 07:40:07",'
        '"2026-09-01 07:43:02","184","175","NORMAL_CLEARING","b9","","","PCMA","PCMA"'
    )
    profile = analyze_files([("Master.csv", f"{a_leg}\n{b_leg}\n".encode())], CN)
    assert profile.totals.calls == 1
    assert profile.totals.billable_seconds == 175
    assert profile.rows.skipped_reasons == {"another leg of a counted call": 1}


def test_freeswitch_asterisk_template_reads_hangup_causes() -> None:
    line = (
        '"","8001","90215551234","default","""8001"" <8001>","sofia/a","sofia/b","bridge",'
        '"x","2026-09-01 10:00:00","2026-09-01 10:00:05","2026-09-01 10:01:05","65","60",'
        '"NORMAL_CLEARING","DOCUMENTATION","u1",""'
    )
    unanswered = (
        line.replace('"2026-09-01 10:00:05"', '""')
        .replace('"60"', '"0"')
        .replace("NORMAL_CLEARING", "NO_ANSWER")
    )
    read = read_file("Master.csv", f"{line}\n{unanswered}\n".encode())
    assert read.format is BillFormat.FREESWITCH
    assert read.calls.get_column("answered").to_list() == [True, False]


CUCM_HEADER = (
    '"cdrRecordType","globalCallID_callId","dateTimeOrigination","callingPartyNumber",'
    '"originalCalledPartyNumber","finalCalledPartyNumber","dateTimeConnect",'
    '"dateTimeDisconnect","duration"'
)
CUCM_TYPES = "INTEGER,INTEGER,INTEGER,VARCHAR(50),VARCHAR(50),VARCHAR(50),INTEGER,INTEGER,INTEGER"


def test_cucm_columns_by_name_epoch_seconds_in_the_client_zone() -> None:
    # 1788220800 = 2026-09-01T00:00:00Z = 08:00 in Shanghai.
    rows = [
        "1,11,1788220800,8001,902155512345,902155512345,1788220805,1788220865,60",
        "1,12,1788224400,13812345678,63001000,8002,0,1788224420,0",
    ]
    data = "\n".join([CUCM_HEADER, CUCM_TYPES, *rows]).encode()
    read = read_file("cdr.csv", data, timezone="Asia/Shanghai")
    assert read.format is BillFormat.CUCM
    calls = read.calls
    assert calls.get_column("start").to_list() == [
        datetime(2026, 9, 1, 8, 0, 0),
        datetime(2026, 9, 1, 9, 0, 0),
    ]
    assert calls.get_column("answered").to_list() == [True, False]
    assert calls.get_column("hold_s").to_list() == [65, 20]
    assert calls.get_column("callee").to_list() == ["902155512345", "63001000"]
    assert calls.get_column("line").to_list() == [3, 4]


def test_cucm_without_a_needed_column_names_it() -> None:
    data = (CUCM_HEADER.replace('"duration"', '"other"') + "\n" + CUCM_TYPES + "\n").encode()
    with pytest.raises(BillError) as error:
        read_file("cdr.csv", data)
    assert (error.value.line, error.value.column) == (1, "duration")


CARRIER_ROWS = [
    ["序号", "通话起始时间", "通话时长", "呼叫类型", "对方号码", "通话费(元)"],
    ["1", "2026-09-01 08:00:00", "1分2秒", "主叫", "13812345678", "0.30"],
    ["2", "2026-09-01 09:00:00", "1小时0分5秒", "被叫", "02155512345", "0.00"],
    ["3", "2026-09-01 10:00:00", "45秒", "主叫", "0085221234567", "2.40"],
]


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


def _check_carrier(read_calls_result: object) -> None:
    from app.core.bills.table import FileCalls

    assert isinstance(read_calls_result, FileCalls)
    calls = read_calls_result.calls
    assert read_calls_result.format is BillFormat.GENERIC
    assert calls.get_column("billsec").to_list() == [62, 3605, 45]
    assert calls.get_column("direction").to_list() == ["outbound", "inbound", "outbound"]
    assert [str(c) for c in calls.get_column("cost").to_list()] == [
        "0.300000",
        "0.000000",
        "2.400000",
    ]
    assert read_calls_result.talk_time_only


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("gbk", ","),
        ("gb18030", ";"),
        ("utf-16", "\t"),
        ("utf-16-le", "\t"),
    ],
)
def test_chinese_carrier_bill_in_every_encoding_and_separator(
    encoding: str, delimiter: str
) -> None:
    data = _csv(CARRIER_ROWS, delimiter).encode(encoding)
    _check_carrier(read_file("bill.csv", data))


def test_title_lines_above_the_header_are_skipped() -> None:
    rows = [["中国电信 详单"], [""], *CARRIER_ROWS]
    read = read_file("bill.csv", _csv(rows).encode("gbk"))
    _check_carrier(read)
    assert read.calls.get_column("line").to_list() == [4, 5, 6]


def test_xlsx_with_several_sheets_takes_the_one_with_calls() -> None:
    workbook = openpyxl.Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "汇总"
    summary.append(["账期", "合计"])
    summary.append(["2026-09", 2.7])
    detail = workbook.create_sheet("详单")
    detail.append(CARRIER_ROWS[0])
    for row in CARRIER_ROWS[1:]:
        detail.append(
            [int(row[0]), datetime.fromisoformat(row[1]), row[2], row[3], row[4], float(row[5])]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    _check_carrier(read_file("bill.xlsx", buffer.getvalue()))


def test_english_bill_with_date_and_time_columns() -> None:
    text = (
        "Date,Time,Direction,Number,Duration,Charge\n"
        "09/01/2026,03:30:47,Outgoing,16175433135,0:01:15,$0.60\n"
        "09/13/2026,7:08:21,Incoming,13058075574,1:14,0.00\n"
    )
    read = read_file("ny.csv", text.encode())
    assert read.calls.get_column("start").to_list() == [
        datetime(2026, 9, 1, 3, 30, 47),
        datetime(2026, 9, 13, 7, 8, 21),
    ]
    assert read.calls.get_column("billsec").to_list() == [75, 74]
    assert read.currency == "USD"


def test_explicit_column_mapping_by_name_and_number() -> None:
    text = "when;secs;who;dir\n2026-09-01 10:00:00;61;13812345678;out\n"
    with pytest.raises(BillError) as error:
        read_file("odd.csv", text.encode())
    assert error.value.line == 1
    mapping = ColumnMapping(
        name="odd export", start="when", duration="2", number="who", direction="dir"
    )
    read = read_file("odd.csv", text.encode(), column_mapping=mapping)
    assert read.calls.get_column("billsec").to_list() == [61]
    assert read.calls.get_column("callee").to_list() == ["13812345678"]
    with pytest.raises(BillError) as error:
        read_file(
            "odd.csv", text.encode(), column_mapping=mapping.model_copy(update={"cost": "fee"})
        )
    assert error.value.line == 1 and error.value.column == "fee"
    assert str(error.value) == "odd.csv, line 1, column fee: no such column for cost"


def test_pbx_export_with_caller_callee_and_end_columns() -> None:
    text = (
        "Start,End,From,To,Duration,Status\n"
        "2026-09-01 10:00:00,2026-09-01 10:01:10,8001,90215551234,60,ANSWERED\n"
        "2026-09-01 10:05:00,2026-09-01 10:05:20,8001,90215551234,0,NO ANSWER\n"
    )
    read = read_file("pbx.csv", text.encode())
    assert not read.talk_time_only
    assert read.calls.get_column("hold_s").to_list() == [70, 20]
    assert read.calls.get_column("answered").to_list() == [True, False]


def test_bad_rows_are_skipped_by_reason_never_silently() -> None:
    text = (
        "Date,Time,Direction,Number,Duration,Charge\n"
        "09/01/2026,03:30:47,Outgoing,16175433135,0:01:15,0.60\n"
        "not a date,03:30:47,Outgoing,16175433135,0:01:15,0.60\n"
        "09/02/2026,03:30:47,Outgoing,16175433135,-5,0.60\n"
        "09/03/2026,03:30:47,Outgoing,16175433135,soon,0.60\n"
    )
    profile = analyze_files([("ny.csv", text.encode())], AnalysisOptions(country="US"))
    assert profile.rows.model_dump() == {
        "read": 4,
        "used": 1,
        "skipped": 3,
        "skipped_reasons": {
            "negative duration": 1,
            "unparseable date": 1,
            "unparseable duration": 1,
        },
    }


def test_asterisk_rows_with_bad_fields_are_skipped() -> None:
    good = asterisk_row(
        "8001",
        "90215551234",
        "2026-09-01 10:00:00",
        "2026-09-01 10:00:05",
        "2026-09-01 10:01:05",
        65,
        60,
        "ANSWERED",
    )
    bad_date = good.replace("2026-09-01 10:00:00", "2026-13-45 10:00:00")
    bad_seconds = good.replace(",65,60,", ",65,x,")
    read = read_file("Master.csv", "\n".join([good, bad_date, bad_seconds]).encode())
    assert read.calls.height == 1
    assert read.skipped == {"unparseable date": 1, "unparseable duration": 1}


@pytest.mark.parametrize(
    ("values", "seconds"),
    [
        (
            ["75", "75.0", "1:15", "0:01:15", "1分15秒", "1h 1m 15s", "2小时", "5分钟"],
            [75, 75, 75, 75, 75, 3675, 7200, 300],
        ),
        (["", "abc", "1:2:3:4"], [None, None, None]),
    ],
)
def test_durations(values: list[str], seconds: list[int | None]) -> None:
    import polars as pl

    assert parse_durations(pl.Series(values)).to_list() == seconds


def test_date_orders_are_chosen_by_what_reads() -> None:
    import polars as pl

    day_first = pl.Series(["13/09/2026 10:00:00", "01/09/2026 10:00"])
    assert parse_generic_datetimes(day_first).to_list() == [
        datetime(2026, 9, 13, 10, 0),
        datetime(2026, 9, 1, 10, 0),
    ]
    chinese = pl.Series(["2026年9月1日 8:05:03"])
    assert parse_generic_datetimes(chinese).to_list() == [datetime(2026, 9, 1, 8, 5, 3)]


def test_costs_are_exact() -> None:
    import polars as pl

    costs = parse_costs(pl.Series(["¥1,234.50", "0,60", "2.40", ""])).to_list()
    assert [None if c is None else str(c.normalize()) for c in costs] == [
        "1234.5",
        "0.6",
        "2.4",
        None,
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\x03binary\x00\xff" * 50, "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage", "ZIP"),
        (b"hello,world\n1,2\n", "cannot recognise"),
    ],
)
def test_unreadable_files_raise_a_bill_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(BillError) as error:
        read_calls([("client.csv", data)])
    assert error.value.file == "client.csv"
    assert message in str(error.value)
    assert str(error.value).startswith("client.csv")


def test_a_zip_bomb_dressed_as_xlsx_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    with pytest.raises(BillError) as error:
        read_file("bomb.xlsx", buffer.getvalue())
    assert "zip bomb" in str(error.value)


def test_a_file_with_no_usable_row_is_an_error() -> None:
    text = "Date,Time,Direction,Number,Duration\nnot,a,row,at,all\n"
    with pytest.raises(BillError) as error:
        read_file("ny.csv", text.encode())
    assert "no usable call" in str(error.value)
    assert "at" not in error.value.reason.replace("unparseable date", "")


def test_error_messages_never_quote_a_row() -> None:
    number = "13812345678"
    text = f"when;secs;who\n2026-09-01 10:00:00;61;{number}\n"
    with pytest.raises(BillError) as error:
        read_file("odd.csv", text.encode())
    assert number not in str(error.value)


@pytest.mark.parametrize(
    ("data", "format", "needs_mapping"),
    [
        (b"when,how long,who\n2026-09-01 10:00,60,13812345678\n", BillFormat.AUTO, True),
        (b"when,how long,who\n2026-09-01 10:00,60,13812345678\n", BillFormat.GENERIC, True),
        (b"\xff\xfe\x00garbage", BillFormat.ASTERISK, False),
    ],
)
def test_only_unrecognised_columns_ask_for_a_mapping(
    data: bytes, format: BillFormat, needs_mapping: bool
) -> None:
    # The rep is offered the mapping form for a bill whose columns were not recognised;
    # any other unreadable bill is an error to fix, not a mapping to give.
    with pytest.raises(BillError) as raised:
        read_file("bill.csv", data, format=format)
    assert raised.value.needs_mapping is needs_mapping
    assert raised.value.file == "bill.csv"
