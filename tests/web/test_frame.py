"""The page frame: languages, static assets, security headers, errors, health, logs."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from tests.conftest import bearer, csrf, login


def test_language_switch_turns_the_page_chinese_and_is_remembered(
    client: TestClient, make_user, app
) -> None:
    user = make_user("rep")
    login(client, user.email)
    assert "Your comparisons" in client.get("/").text
    client.post("/language", data={"locale": "zh_Hans", "next": "/", "csrf_token": csrf(client)})
    page = client.get("/")
    assert '<html lang="zh-Hans">' in page.text and "您的比较方案" in page.text
    # remembered on the user: a new browser logs in and sees Chinese
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        login(other, user.email)
        assert "您的比较方案" in other.get("/").text


def test_anonymous_language_from_accept_language(client: TestClient, make_user) -> None:
    make_user("admin")
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in page.text


def test_static_assets_have_content_hashes_and_long_cache(client: TestClient, make_user) -> None:
    make_user("admin")
    page = client.get("/login").text
    for name in ("vendor/htmx-2.0.11.min.js", "css/telroi.css"):
        start = page.index(f"/static/{name}?v=")
        url = page[start : page.index('"', start)]
        asset = client.get(url)
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = client.get("/static/css/telroi.css?v=000000000000")
    assert stale.headers["cache-control"] == "no-cache"


def test_plotly_bundle_is_vendored_and_needs_no_eval(client: TestClient) -> None:
    body = client.get("/static/vendor/plotly-cartesian-4.1.1.min.js")
    assert body.status_code == 200 and len(body.content) > 1_000_000
    assert "new Function(" not in body.text


def test_security_headers_and_csp_without_unsafe_eval(client: TestClient, make_user) -> None:
    make_user("admin")
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text  # no inline script anywhere


def test_compressed_responses(client: TestClient) -> None:
    response = client.get(
        "/static/vendor/plotly-cartesian-4.1.1.min.js", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"


def test_error_pages_are_friendly_html_and_json_under_api(client: TestClient, make_user) -> None:
    make_user("admin")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Page not found" in page.text and "Traceback" not in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_unhandled_error_shows_no_stack_trace(app, make_user) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals 13800138000")

    make_user("admin")
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "Something went wrong" in response.text


def test_healthz_ok_and_503_without_database(client: TestClient, app, monkeypatch) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(app.state.engine, "connect", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_request_log_line_holds_no_token(
    client: TestClient, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user("rep")
    headers = bearer(client, user.email)
    token = headers["Authorization"].split()[1]
    with caplog.at_level(logging.INFO, logger="telroi.request"):
        client.get("/api/v1/me", headers=headers)
        client.get("/s/SECRETSHARETOKEN123?token=abc")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "telroi.request"]
    me = next(line for line in lines if line["path"] == "/api/v1/me")
    assert me["method"] == "GET" and me["status"] == 200 and me["user_id"] == user.id
    assert isinstance(me["ms"], float)
    share = next(line for line in lines if line["path"].startswith("/s/"))
    assert share["path"] == "/s/…"
    text = caplog.text
    assert token not in text and "SECRETSHARETOKEN123" not in text and "abc" not in text
