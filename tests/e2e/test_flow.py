"""The rep's whole flow in a real Chromium: bill → usage → live options → saved proposal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import SAMPLES
from tests.e2e.conftest import REP_EMAIL, REP_PASSWORD

pytestmark = pytest.mark.e2e


def _login(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(REP_EMAIL)
    page.get_by_label("Password", exact=True).fill(REP_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("new-comparison")).to_be_visible()
    if page.locator("html").get_attribute("lang") != "en":  # the rep's remembered choice
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Your comparisons")).to_be_visible()


def test_from_a_bill_to_a_saved_proposal(page: Page, shot, seeded_server: str) -> None:
    _login(page)
    shot("dashboard")
    page.get_by_test_id("new-comparison").click()
    page.get_by_label("Client name").fill("Shanghai Example Trading")
    page.get_by_label("Industry").fill("Trading")
    page.get_by_label("Country (ISO code, e.g. CN, US)").fill("CN")
    page.get_by_label("Local area codes (comma-separated)").fill("21")
    page.get_by_label("PBX outside-line prefix").fill("9")
    page.get_by_label("Seats (users)").fill("60")
    shot("client")
    page.get_by_role("button", name="Continue to the bills").click()

    page.get_by_test_id("bill-files").set_input_files(str(SAMPLES / "asterisk-master-shanghai.csv"))
    shot("bills-chosen")
    page.get_by_test_id("analyse").click()
    expect(page).to_have_url(re.compile(r"/usage$"), timeout=30_000)
    expect(page.get_by_test_id("total-calls")).to_have_text("5,000")
    expect(page.locator("#chart-erlang .main-svg").first).to_be_attached(timeout=10_000)
    shot("usage")

    page.get_by_test_id("to-options").click()
    # what the client pays today beside the lines: the old PBX's upkeep and its forced upgrade
    page.get_by_label("Upkeep of the current PBX a month").fill("2500")
    page.get_by_label("Forced upgrade of the old PBX: cost").fill("60000")
    page.get_by_label("…in month").fill("12")
    payback = page.get_by_test_id("payback-0")
    expect(payback).to_contain_text("months", timeout=15_000)
    expect(page.locator("#chart-cumulative .main-svg").first).to_be_attached(timeout=10_000)
    shot("options")
    before = payback.inner_text()
    seats = page.get_by_test_id("seats")
    seats.fill("90")
    expect(payback).not_to_have_text(before, timeout=15_000)
    expect(payback).to_contain_text("months")
    page.wait_for_load_state("networkidle")
    shot("options-90-seats")
    live = payback.inner_text()

    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/results$"))
    expect(page.get_by_test_id("saved-at")).to_be_visible()
    # reopened exactly as saved: the payback the client saw with 90 seats
    expect(page.get_by_test_id("payback-0")).to_have_text(live)
    expect(page.get_by_test_id("seats-assumption")).to_contain_text("90")
    shot("results")
    page.goto("/")
    expect(page.get_by_test_id("proposals")).to_contain_text("Shanghai Example Trading")
    shot("dashboard-saved")
    assert all(url.startswith(seeded_server) for url in page.requests)  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_bad_file_is_rejected_with_its_message(
    page: Page, shot, seeded_server: str, tmp_path
) -> None:
    _login(page)
    page.get_by_test_id("new-comparison").click()
    page.get_by_label("Client name").fill("Bad file Ltd")
    page.get_by_label("Country (ISO code, e.g. CN, US)").fill("CN")
    page.get_by_label("Seats (users)").fill("10")
    page.get_by_role("button", name="Continue to the bills").click()
    bad = tmp_path / "scan-of-a-bill.csv"
    bad.write_bytes(bytes(range(256)) * 20)
    page.get_by_test_id("bill-files").set_input_files(str(bad))
    page.get_by_test_id("analyse").click()
    error = page.get_by_test_id("bill-error")
    expect(error).to_contain_text("scan-of-a-bill.csv", timeout=15_000)
    shot("bad-file")


def test_sample_in_one_click_in_chinese(page: Page, shot, seeded_server: str) -> None:
    _login(page)
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="您的比较方案")).to_be_visible()
    page.get_by_test_id("try-sample").click()
    expect(page.get_by_test_id("payback-0")).to_be_visible(timeout=20_000)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#chart-cumulative .main-svg").first).to_be_attached(timeout=10_000)
    shot("options-chinese")
    page.get_by_role("link", name=re.compile("用量")).first.click()
    expect(page.get_by_test_id("total-calls")).to_be_visible()
    shot("usage-chinese")


def test_results_first_visit_transfers_under_1_5_mb(browser, seeded_server: str) -> None:
    context = browser.new_context(base_url=seeded_server)
    page = context.new_page()
    _login(page)
    page.get_by_test_id("try-sample").click()
    expect(page.get_by_test_id("payback-0")).to_be_visible(timeout=20_000)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/results$"))
    results_url = page.url
    context.close()
    fresh = browser.new_context(base_url=seeded_server)  # empty cache: a first visit
    page = fresh.new_page()
    _login(page)
    sizes: list[int] = []
    page.on(
        "requestfinished",
        lambda request: sizes.append(
            request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
        ),
    )
    page.goto(results_url)
    page.wait_for_load_state("networkidle")
    total = sum(sizes)
    fresh.close()
    assert 0 < total < 1.5 * 1024 * 1024, total
