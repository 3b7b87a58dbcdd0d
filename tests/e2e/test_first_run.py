"""A real Chromium through setup, login, the language switch and logout."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "a long admin password"


def test_setup_login_language_logout(page: Page, shot, live_server: str) -> None:
    page.goto("/")
    expect(page).to_have_url(f"{live_server}/setup")
    expect(page.get_by_role("heading", name="Welcome to Telroi")).to_be_visible()
    shot("setup")

    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_test_id("empty-dashboard")).to_be_visible()
    shot("dashboard-after-setup")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server}/login")
    shot("logged-out")

    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    shot("wrong-password")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your comparisons")).to_be_visible()
    shot("logged-in")

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="您的比较方案")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    shot("chinese")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shot("logged-out-chinese")

    # nothing was loaded from another origin
    assert all(url.startswith(live_server) for url in page.requests)  # type: ignore[attr-defined]
