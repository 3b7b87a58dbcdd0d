"""The rep's flow page by page, and each htmx partial, through the test client on both
databases: dashboard, client, bills (upload, job progress, bad file, column mapping),
entered figures, usage, options with live recompute, save, results, ownership and CSRF.

Expected figures come from the samples' ``expected/*.json`` (written by the samples'
author, not by Telroi) or from hand calculations written out beside the assertion."""

from __future__ import annotations

import json
import re
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.engine import make_sessionmaker
from app.db.models import ColumnMappingRecord, User
from app.services import tariffs
from tests.conftest import SAMPLES, Clock, csrf, login

NEWYORK = SAMPLES / "carrier-itemized-newyork.csv"
ASTERISK = SAMPLES / "asterisk-master-shanghai.csv"
EXPECTED = SAMPLES / "expected"
NEWYORK_CLIENT = {
    "name": "Example Law LLP",
    "industry": "Legal",
    "country": "US",
    "area_codes": "212",
    "seats": "25",
    "sites": "1",
}
POLL_SECONDS = 60.0
HX = {"HX-Request": "true"}


def expected(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED / f"{name}.json").read_text())  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ HTML helpers


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the forms' fields (inputs, selects)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._first_option, self._selected = a.get("name"), None, False
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a and not self._selected:
                self.fields.append((self._select, a.get("value", "")))
                self._selected = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            if not self._selected:
                self.fields.append((self._select, self._first_option or ""))
            self._select = None


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    """The fields a browser would submit from the form with ``id=form_id``."""
    start = html.index(f'id="{form_id}"')
    end = html.index("</form>", start)
    return elements(html[html.rindex("<form", 0, start) : end]).fields


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """``fields`` with the named ones set (each must exist once)."""
    for name, value in values.items():
        hits = [i for i, (k, _) in enumerate(fields) if k == name]
        assert len(hits) == 1, f"{name} is not one field of the form"
        fields[hits[0]] = (name, value)
    return fields


def by_testid(html: str, testid: str) -> str:
    """The text of the element carrying ``data-testid=testid`` (no nested same tag)."""
    match = re.search(
        rf'<(\w+)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>', html, re.DOTALL
    )
    assert match, f"no element with data-testid={testid}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip()


def as_int(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def assert_charts(html: str, wanted: set[str]) -> None:
    """Each chart div's ``data-figure`` parses as a Plotly figure with data, the ``wanted``
    charts are there, and every chart has its table alternative in the same figure."""
    charts = [a for t, a in elements(html).tags if t == "div" and "data-figure" in a]
    assert wanted <= {a["id"] for a in charts}
    for attrs in charts:
        figure = json.loads(attrs["data-figure"])
        assert figure["data"], attrs["id"]
    figures = re.findall(r'<figure class="chart-figure">(.*?)</figure>', html, re.S)
    assert len(figures) == len(charts)
    for figure in figures:
        assert '<details class="chart-table">' in figure and "<table" in figure
        assert "<td" in figure  # the table holds the figure's values


# ------------------------------------------------------------------------------ flow helpers


@pytest.fixture
def seeded(app: FastAPI, clock: Clock) -> None:
    """The shipped tariffs in the database."""
    with make_sessionmaker(app.state.engine)() as db:
        tariffs.seed_if_empty(db, now=clock())
        db.commit()


@pytest.fixture
def rep(client: TestClient, make_user, seeded: None) -> User:  # type: ignore[no-untyped-def]
    """A rep, logged in on ``client``."""
    user: User = make_user("rep")
    login(client, user.email)
    return user


def create_proposal(client: TestClient, **overrides: str) -> str:
    response = client.post(
        "/proposals", data={**NEWYORK_CLIENT, **overrides, "csrf_token": csrf(client)}
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/proposals/([^/]+)/bills", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def upload(client: TestClient, pid: str, *files: tuple[str, bytes]) -> httpx.Response:
    return client.post(
        f"/proposals/{pid}/bills",
        data={"csrf_token": csrf(client)},
        files=[("file", (name, content, "text/csv")) for name, content in files],
        headers=HX,
    )


def job_url(partial: str) -> str:
    match = re.search(r'hx-(?:get|post)="(/proposals/[^/"]+/jobs/[^/"]+)', partial)
    assert match, partial
    return match.group(1)


def poll(client: TestClient, url: str) -> httpx.Response:
    """Poll the job like htmx does until it stops answering with a progress bar."""
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        response = client.get(url, headers=HX)
        assert response.status_code == 200, response.text
        if "HX-Redirect" in response.headers or 'data-testid="job-progress"' not in response.text:
            return response
        assert time.monotonic() < deadline, "the analysis job did not finish in time"
        time.sleep(0.1)


def analysed(client: TestClient, path: Path = NEWYORK, **client_fields: str) -> str:
    """A proposal whose bill has been uploaded and analysed; its id."""
    pid = create_proposal(client, **client_fields)
    answer = upload(client, pid, (path.name, path.read_bytes()))
    assert answer.status_code == 200, answer.text
    done = poll(client, job_url(answer.text))
    assert done.headers.get("HX-Redirect") == f"/proposals/{pid}/usage", done.text
    return pid


def options_form(client: TestClient, pid: str) -> list[tuple[str, str]]:
    page = client.get(f"/proposals/{pid}/options")
    assert page.status_code == 200, page.text
    return [(k, v) for k, v in form_fields(page.text, "options-form") if k != "csrf_token"]


def as_form(fields: list[tuple[str, str]], **extra: str) -> dict[str, list[str]]:
    """Form fields (a name may repeat) as httpx posts them."""
    data: dict[str, list[str]] = {}
    for name, value in [*fields, *extra.items()]:
        data.setdefault(name, []).append(value)
    return data


def compute(client: TestClient, pid: str, fields: list[tuple[str, str]]) -> httpx.Response:
    response = client.post(
        f"/proposals/{pid}/compute", data=as_form(fields, csrf_token=csrf(client)), headers=HX
    )
    assert response.status_code == 200, response.text
    return response


# ------------------------------------------------------------------------------ dashboard


def test_empty_dashboard_offers_a_start_and_the_sample(client: TestClient, rep: User) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="empty-dashboard"' in page.text
    assert 'data-testid="proposals"' not in page.text
    assert 'href="/proposals/new"' in page.text
    assert 'action="/demo"' in page.text


def test_dashboard_lists_the_reps_proposals(client: TestClient, rep: User) -> None:
    draft = create_proposal(client, name="Draft Client Ltd")
    page = client.get("/")
    table = page.text[page.text.index('data-testid="proposals"') :]
    assert "Draft Client Ltd" in table
    # its status, and its last change at the test clock's time: 2 November 2026, 09:00 UTC
    assert "Draft" in table and re.search(r"Nov 2, 2026, 9:00:00\sAM", table)
    # a draft without a bill links to its bills step
    assert f'href="/proposals/{draft}/bills"' in table


def test_the_sample_bill_creates_a_proposal_and_opens_its_options(
    client: TestClient, rep: User
) -> None:
    response = client.post("/demo", data={"csrf_token": csrf(client)})
    assert response.status_code == 303
    match = re.fullmatch(r"/proposals/([^/]+)/options", response.headers["location"])
    assert match, response.headers["location"]
    pid = match.group(1)
    usage = client.get(f"/proposals/{pid}/usage")
    assert (
        as_int(by_testid(usage.text, "total-calls"))
        == expected("asterisk-master-shanghai")["calls"]
    )
    options = client.get(response.headers["location"])
    assert options.status_code == 200
    assert 'data-testid="headline-0"' in options.text
    assert pid in client.get("/").text


# ------------------------------------------------------------------------------ client step


def test_client_step_creates_the_proposal(client: TestClient, rep: User) -> None:
    page = client.get("/proposals/new")
    assert page.status_code == 200 and 'action="/proposals"' in page.text
    pid = create_proposal(client)
    bills = client.get(f"/proposals/{pid}/bills")
    assert bills.status_code == 200
    assert NEWYORK_CLIENT["name"] in bills.text
    edit = client.get(f"/proposals/{pid}/client")
    fields = dict(elements(edit.text).fields)
    assert fields["country"] == "US" and fields["seats"] == "25" and fields["area_codes"] == "212"


def test_client_step_shows_each_error_beside_its_field(client: TestClient, rep: User) -> None:
    response = client.post(
        "/proposals",
        data={**NEWYORK_CLIENT, "country": "USA", "seats": "0", "csrf_token": csrf(client)},
    )
    assert response.status_code == 422
    tags = elements(response.text).tags
    for name in ("country", "seats"):
        field = next(a for t, a in tags if t == "input" and a.get("name") == name)
        assert field.get("aria-invalid") == "true"
        assert field.get("aria-describedby") == f"e-{name}"
        assert f'id="e-{name}"' in response.text
    name_field = next(a for t, a in tags if t == "input" and a.get("name") == "name")
    assert "aria-invalid" not in name_field
    assert name_field["value"] == NEWYORK_CLIENT["name"]  # what the rep typed is kept
    assert 'id="e-name"' not in response.text
    assert client.get("/").text.count(NEWYORK_CLIENT["name"]) == 0  # nothing was created


def test_client_step_edits_the_client(client: TestClient, rep: User) -> None:
    pid = create_proposal(client)
    changed = client.post(
        f"/proposals/{pid}/client",
        data={**NEWYORK_CLIENT, "name": "Renamed LLP", "seats": "40", "csrf_token": csrf(client)},
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == f"/proposals/{pid}/bills"
    fields = dict(elements(client.get(f"/proposals/{pid}/client").text).fields)
    assert fields["name"] == "Renamed LLP" and fields["seats"] == "40"
    bad = client.post(
        f"/proposals/{pid}/client",
        data={**NEWYORK_CLIENT, "name": "", "csrf_token": csrf(client)},
    )
    assert bad.status_code == 422 and 'id="e-name"' in bad.text
    fields = dict(elements(client.get(f"/proposals/{pid}/client").text).fields)
    assert fields["name"] == "Renamed LLP"


# ------------------------------------------------------------------------------ bills


def test_upload_answers_the_job_partial_and_polling_ends_on_usage(
    client: TestClient, rep: User
) -> None:
    pid = create_proposal(client)
    answer = upload(client, pid, (NEWYORK.name, NEWYORK.read_bytes()))
    assert answer.status_code == 200
    assert "<html" not in answer.text  # a partial, not a page
    assert 'data-testid="job-progress"' in answer.text
    assert 'hx-trigger="every' in answer.text
    done = poll(client, job_url(answer.text))
    assert done.headers["HX-Redirect"] == f"/proposals/{pid}/usage"
    usage = client.get(f"/proposals/{pid}/usage")
    assert (
        as_int(by_testid(usage.text, "total-calls"))
        == expected("carrier-itemized-newyork")["calls"]
    )


def test_upload_without_a_file_is_refused_in_the_partial(client: TestClient, rep: User) -> None:
    pid = create_proposal(client)
    response = client.post(f"/proposals/{pid}/bills", data={"csrf_token": csrf(client)}, headers=HX)
    assert response.status_code == 422
    assert 'data-testid="bill-error"' in response.text and "<html" not in response.text


def test_a_bad_file_ends_with_an_error_naming_the_file_and_line(
    client: TestClient, rep: User
) -> None:
    lines = NEWYORK.read_bytes().splitlines()
    # a UTF-8 file (it starts with the byte-order mark) whose line 3 is not UTF-8
    broken = b"\n".join(
        [b"\xef\xbb\xbf" + lines[0], lines[1], b"\xff\xfe" + lines[2], *lines[3:20]]
    )
    pid = create_proposal(client)
    answer = upload(client, pid, ("broken-bill.csv", broken))
    assert answer.status_code == 200
    done = poll(client, job_url(answer.text))
    assert "HX-Redirect" not in done.headers
    error = by_testid(done.text, "bill-error")
    assert "broken-bill.csv" in error and "line 3" in error
    assert "16175433135" not in done.text  # no raw phone number in a message


def _unrecognised_header_bill() -> bytes:
    """The New York bill under a header no format knows (the rows untouched)."""
    lines = NEWYORK.read_text().splitlines()
    return "\n".join(["Tag,Uhrzeit,Richtung,Gegenstelle,Dauer,Betrag", *lines[1:]]).encode()


def test_an_unrecognised_header_asks_for_a_mapping_and_runs_with_it(
    app: FastAPI, client: TestClient, rep: User
) -> None:
    pid = create_proposal(client)
    answer = upload(client, pid, ("export.csv", _unrecognised_header_bill()))
    parked = poll(client, job_url(answer.text))
    assert "HX-Redirect" not in parked.headers
    assert 'data-testid="mapping"' in parked.text
    assert "export.csv" in parked.text
    # the first rows are shown: the header and the first call of the file
    assert "Gegenstelle" in parked.text and "09/01/2026" in parked.text
    # the bills page shows the parked job after a reload as well
    assert 'data-testid="mapping"' in client.get(f"/proposals/{pid}/bills").text

    mapped = client.post(
        job_url(parked.text) + "/mapping",
        data={
            "date": "1",
            "time": "2",
            "direction": "3",
            "number": "4",
            "duration": "5",
            "cost": "6",
            "save_as": "German export",
            "csrf_token": csrf(client),
        },
        headers=HX,
    )
    assert mapped.status_code == 200, mapped.text
    done = poll(client, job_url(mapped.text))
    assert done.headers.get("HX-Redirect") == f"/proposals/{pid}/usage", done.text
    usage = client.get(f"/proposals/{pid}/usage")
    assert (
        as_int(by_testid(usage.text, "total-calls"))
        == expected("carrier-itemized-newyork")["calls"]
    )
    with make_sessionmaker(app.state.engine)() as db:
        record = db.scalar(
            select(ColumnMappingRecord).where(ColumnMappingRecord.name == "German export")
        )
        assert record is not None
        assert record.mapping == {
            "date": "1",
            "time": "2",
            "direction": "3",
            "number": "4",
            "duration": "5",
            "cost": "6",
        }


def test_a_saved_mapping_is_offered_and_reused_by_name(client: TestClient, rep: User) -> None:
    first = create_proposal(client)
    parked = poll(
        client, job_url(upload(client, first, ("a.csv", _unrecognised_header_bill())).text)
    )
    mapping = {"date": "1", "time": "2", "direction": "3", "number": "4", "duration": "5"}
    mapped = client.post(
        job_url(parked.text) + "/mapping",
        data={**mapping, "save_as": "Berlin", "csrf_token": csrf(client)},
        headers=HX,
    )
    poll(client, job_url(mapped.text))
    second = create_proposal(client)
    parked = poll(
        client, job_url(upload(client, second, ("b.csv", _unrecognised_header_bill())).text)
    )
    assert '<option value="Berlin">' in parked.text
    reused = client.post(
        job_url(parked.text) + "/mapping",
        data={"saved": "Berlin", "csrf_token": csrf(client)},
        headers=HX,
    )
    done = poll(client, job_url(reused.text))
    assert done.headers.get("HX-Redirect") == f"/proposals/{second}/usage"


# ------------------------------------------------------------------------------ entered figures


def test_entered_figures_make_a_profile_marked_entered(client: TestClient, rep: User) -> None:
    pid = create_proposal(client)
    response = client.post(
        f"/proposals/{pid}/figures",
        data={
            "month": "2026-09",
            "outbound-local-calls": "1200",
            "outbound-local-minutes": "3600",
            "outbound-mobile-calls": "300",
            "outbound-mobile-minutes": "900",
            "inbound-local-calls": "500",
            "inbound-local-minutes": "1500",
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/proposals/{pid}/usage"
    usage = client.get(f"/proposals/{pid}/usage")
    assert usage.status_code == 200
    assert "entered by hand" in usage.text
    # 1,200 + 300 + 500 calls entered
    assert as_int(by_testid(usage.text, "total-calls")) == 2000


def test_entered_figures_without_any_line_are_refused(client: TestClient, rep: User) -> None:
    pid = create_proposal(client)
    response = client.post(
        f"/proposals/{pid}/figures", data={"month": "2026-09", "csrf_token": csrf(client)}
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "at least one kind of traffic" in response.text


# ------------------------------------------------------------------------------ usage


def test_usage_page_totals_table_and_charts(client: TestClient, rep: User) -> None:
    want = expected("carrier-itemized-newyork")
    pid = analysed(client)
    page = client.get(f"/proposals/{pid}/usage").text
    assert as_int(by_testid(page, "total-calls")) == want["calls"]
    assert as_int(by_testid(page, "recommended-channels")) == want["recommended_channels"]

    table = page[page.index("<tbody>", page.index("By direction and category")) :]
    table = table[: table.index("</tbody>")]
    rows = [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    direction = {"Outbound": "outbound", "Inbound": "inbound", "Internal": "internal"}
    category = {
        "Local": "local",
        "National": "national",
        "Mobile": "mobile",
        "International": "international",
        "Toll-free": "toll_free",
    }
    seen: dict[str, list[float]] = {}
    for cells in rows:
        key = f"{direction[cells[0]]}/{category[cells[1]]}"
        total = seen.setdefault(key, [0, 0, 0.0, 0])
        total[0] += as_int(cells[3])
        total[1] += as_int(cells[4])
        total[2] += float(cells[5].replace(",", ""))  # minutes, one decimal
        total[3] += 1  # rows (one per remote country)
    assert {k: v[:2] for k, v in seen.items()} == {
        key: [c["calls"], c["answered_calls"]] for key, c in want["categories"].items()
    }
    for key, c in want["categories"].items():
        # e.g. outbound/local: 19,544 s / 60 = 325.73 minutes, shown as 325.7 (±0.05 a row)
        _, _, minutes, count = seen[key]
        assert minutes == pytest.approx(c["billable_seconds"] / 60, abs=0.05 * count), key

    assert_charts(
        page, {"chart-mix", "chart-heatmap", "chart-durations", "chart-busy-days", "chart-erlang"}
    )


def test_usage_without_an_analysis_goes_back_to_the_bills(client: TestClient, rep: User) -> None:
    pid = create_proposal(client)
    response = client.get(f"/proposals/{pid}/usage")
    assert response.status_code == 303
    assert response.headers["location"] == f"/proposals/{pid}/bills"


# ------------------------------------------------------------------------------ options, compute


@pytest.fixture
def priced(client: TestClient, rep: User) -> str:
    """A proposal on the New York bill, ready for its options."""
    return analysed(client)


def test_options_page_shows_tariff_cards_and_results(client: TestClient, priced: str) -> None:
    page = client.get(f"/proposals/{priced}/options")
    assert page.status_code == 200
    assert 'class="tariff-card"' in page.text
    assert 'id="results"' in page.text and 'data-testid="headline-0"' in page.text
    fields = dict(form_fields(page.text, "options-form"))
    assert fields["seats"] == NEWYORK_CLIENT["seats"]


def test_compute_answers_the_results_partial_and_seats_change_it(
    client: TestClient, priced: str
) -> None:
    fields = options_form(client, priced)
    first = compute(client, priced, fields)
    assert "<html" not in first.text and 'data-testid="headline-0"' in first.text
    assert_charts(first.text, {"chart-cumulative", "chart-annual", "chart-savings"})
    more = compute(client, priced, replace(list(fields), seats="250"))
    assert by_testid(more.text, "seats-assumption") != by_testid(first.text, "seats-assumption")
    assert "250" in by_testid(more.text, "seats-assumption")
    assert by_testid(more.text, "savings-0") != by_testid(first.text, "savings-0")
    # the change is kept: the options page opens with the new seats
    assert dict(options_form(client, priced))["seats"] == "250"


FIT_ANSWERS = {
    "fit-control": "high",  # on-prem
    "fit-it_staff": "yes",  # on-prem
    "fit-remote_share_pct": "10",  # neither: under 30 % remote
    "fit-growth": "stable",  # on-prem
    "fit-integrations": "standard",  # hosted
    "fit-budget": "opex",  # hosted
}


def test_the_fit_check_is_summarised_beside_the_costs(client: TestClient, priced: str) -> None:
    fields = replace(options_form(client, priced), **FIT_ANSWERS)
    answer = compute(client, priced, fields).text
    fit = answer[answer.index('<section class="card fit">') :]
    fit = fit[: fit.index("</section>")]
    assert fit.count("<li>") == 6
    # three points for on-prem, two for hosted, one for neither
    assert "On balance the answers favour an on-prem IP-PBX (3 to 2)." in fit
    reopened = dict(options_form(client, priced))
    assert {k: reopened[k] for k in FIT_ANSWERS} == FIT_ANSWERS


@pytest.mark.parametrize(
    ("field", "value"),
    [("horizon_months", "999"), ("seats", "many"), ("discount_rate_pct", "eight")],
)
def test_a_bad_input_answers_the_partial_with_an_error_naming_the_field(
    client: TestClient, priced: str, field: str, value: str
) -> None:
    fields = replace(options_form(client, priced), **{field: value})
    response = compute(client, priced, fields)
    error = by_testid(response.text, "compare-error")
    names = {
        "horizon_months": "Horizon (months)",
        "seats": "Seats",
        "discount_rate_pct": "Discount rate",
    }
    assert names[field] in error


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "prices in USD cannot be mixed with CNY without an exchange rate"),
        ("zh_Hans", "没有汇率，USD 价格不能与 CNY 混合计算"),
    ],
)
def test_a_scenario_that_cannot_be_computed_says_why_in_the_pages_language(
    client: TestClient, priced: str, locale: str, expected: str
) -> None:
    # Today priced under a CNY tariff while the New York bill's costs are in USD: the
    # engine refuses to mix currencies without an exchange rate, and says so in words of
    # the page (the currency codes are data, kept as they are).
    client.post("/language", data={"locale": locale, "csrf_token": csrf(client)})
    fields = replace(options_form(client, priced), sq_tariff="cn-pstn-business-lines")
    error = re.sub(r"<[^>]+>", "", by_testid(compute(client, priced, fields).text, "compare-error"))
    assert expected in error
    if locale == "zh_Hans":
        assert "cannot be mixed" not in error and "请检查" in error


def test_save_then_results_show_the_numbers_computed_before(
    client: TestClient, priced: str
) -> None:
    fields = replace(options_form(client, priced), seats="40")
    live = compute(client, priced, fields).text
    saved = client.post(f"/proposals/{priced}/save", data={"csrf_token": csrf(client)})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/proposals/{priced}/results"
    results = client.get(saved.headers["location"])
    assert results.status_code == 200 and 'data-testid="saved-at"' in results.text
    for testid in ("payback-0", "savings-0", "payback-1", "savings-1", "seats-assumption"):
        assert by_testid(results.text, testid) == by_testid(live, testid), testid
    dashboard = client.get("/").text
    assert f'href="/proposals/{priced}/results"' in dashboard
    # the dashboard's best savings is the larger of the two alternatives' savings
    best = max(as_int_signed(by_testid(live, f"savings-{i}")) for i in (0, 1))
    assert as_int_signed(_dashboard_savings(dashboard)) == best


def as_int_signed(text: str) -> int:
    """A money text such as ``-$1,234`` or ``$1,234.56`` as whole units (sign kept)."""
    whole = re.sub(r"[^\d.\-−]", "", text).replace("−", "-").split(".")[0]
    return int(whole)


def _dashboard_savings(html: str) -> str:
    row = re.search(r'<td class="num">(.*?)</td>', html[html.index('data-testid="proposals"') :])
    assert row
    return unescape(row.group(1))


def inner(html: str, start: str) -> str:
    """The content of the element whose start tag begins with ``start`` (balanced divs)."""
    begin = html.index(start)
    content = html.index(">", begin) + 1
    depth, at = 1, content
    for match in re.finditer(r"<(/?)div\b", html[content:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            at = content + match.start()
            break
    assert depth == 0, f"{start} is not closed"
    return html[content:at]


def test_the_results_partial_is_the_same_markup_in_page_and_swap(
    client: TestClient, priced: str
) -> None:
    fields = options_form(client, priced)
    swap = compute(client, priced, fields).text
    page = client.get(f"/proposals/{priced}/options").text
    in_page = inner(page, '<div id="results"')
    assert inner(in_page, '<div class="headlines"') == inner(swap, '<div class="headlines"')
    # the whole partial, charts and tables included, is the one template in both places
    assert in_page.strip() == swap.strip()


# ------------------------------------------------------------------------------ ownership


def test_another_rep_gets_404_on_every_proposal_page(
    app: FastAPI, client: TestClient, priced: str, make_user
) -> None:  # type: ignore[no-untyped-def]
    fields = options_form(client, priced)
    assert (
        client.post(f"/proposals/{priced}/save", data={"csrf_token": csrf(client)}).status_code
        == 303
    )
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        login(other, make_user("rep").email)
        token = csrf(other)
        for step in ("client", "bills", "usage", "options", "results"):
            assert other.get(f"/proposals/{priced}/{step}").status_code == 404, step
        for action in ("client", "bills", "figures", "compute", "save"):
            answer = other.post(
                f"/proposals/{priced}/{action}", data=as_form(fields, csrf_token=token)
            )
            assert answer.status_code == 404, action
        assert other.get(f"/proposals/{priced}/jobs/nope").status_code == 404
        assert priced not in other.get("/").text


def test_a_manager_views_the_reps_results_but_cannot_change_them(
    app: FastAPI, client: TestClient, make_user, seeded: None
) -> None:  # type: ignore[no-untyped-def]
    manager = make_user("manager")
    rep = make_user("rep", manager_id=manager.id)
    login(client, rep.email)
    pid = analysed(client)
    fields = options_form(client, pid)
    assert (
        client.post(f"/proposals/{pid}/save", data={"csrf_token": csrf(client)}).status_code == 303
    )
    saved = client.get(f"/proposals/{pid}/results").text
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as boss:
        login(boss, manager.email)
        token = csrf(boss)
        results = boss.get(f"/proposals/{pid}/results")
        assert results.status_code == 200
        assert by_testid(results.text, "payback-0") == by_testid(saved, "payback-0")
        assert 'data-testid="save"' not in boss.get(f"/proposals/{pid}/options").text
        for action in ("compute", "save", "client", "figures"):
            answer = boss.post(f"/proposals/{pid}/{action}", data=as_form(fields, csrf_token=token))
            assert answer.status_code == 403, action
        assert pid in boss.get("/").text


# ------------------------------------------------------------------------------ CSRF


def test_every_post_of_the_flow_needs_the_csrf_token(client: TestClient, priced: str) -> None:
    fields = options_form(client, priced)
    posts = [
        ("/demo", []),
        ("/proposals", list(NEWYORK_CLIENT.items())),
        (f"/proposals/{priced}/client", list(NEWYORK_CLIENT.items())),
        (f"/proposals/{priced}/bills", []),
        (f"/proposals/{priced}/figures", [("outbound-local-calls", "1")]),
        (f"/proposals/{priced}/jobs/nope/mapping", [("date", "1")]),
        (f"/proposals/{priced}/compute", fields),
        (f"/proposals/{priced}/save", []),
    ]
    before = client.get("/").text.count("<tr>")
    for path, data in posts:
        assert client.post(path, data=as_form(data)).status_code == 403, path
        wrong = client.post(path, data=as_form(data, csrf_token="forged"))
        assert wrong.status_code == 403, path
        header = client.post(path, data=as_form(data), headers={"X-CSRF-Token": "forged"})
        assert header.status_code == 403, path
    assert client.get("/").text.count("<tr>") == before  # nothing was created
