"""Setup, login, sessions, tokens, CSRF and throttling."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, Clock, bearer, csrf, login


def test_first_start_redirects_to_setup_and_creates_an_admin(client: TestClient) -> None:
    assert client.get("/").headers["location"] == "/setup"
    assert client.get("/login").headers["location"] == "/setup"
    page = client.get("/setup")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    response = client.post(
        "/setup",
        data={
            "email": "Admin@Example.com",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "admin@example.com" in dashboard.text
    # the setup page is gone once a user exists
    assert client.get("/setup").status_code == 404


def test_setup_refuses_a_short_password_next_to_its_field(client: TestClient) -> None:
    response = client.post(
        "/setup",
        data={
            "email": "a@example.com",
            "password": "short",
            "password_again": "short",
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 422
    assert 'id="password-error"' in response.text and "10 characters" in response.text


def test_wrong_password_gets_401_on_the_api_and_a_message_on_the_form(
    client: TestClient, make_user
) -> None:
    user = make_user("rep")
    api = client.post("/api/v1/auth/token", data={"username": user.email, "password": "nope"})
    assert api.status_code == 401 and api.json() == {"detail": "Wrong e-mail or password."}
    form = client.post(
        "/login", data={"email": user.email, "password": "nope", "csrf_token": csrf(client)}
    )
    assert form.status_code == 401 and "Wrong e-mail or password." in form.text


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(
    client: TestClient, make_user
) -> None:
    user = make_user("rep")
    wrong = client.post("/api/v1/auth/token", data={"username": user.email, "password": "x"})
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "ghost@example.com", "password": "x"}
    )
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())


def test_eleventh_quick_failure_is_throttled_with_retry_after(
    client: TestClient, make_user, clock: Clock
) -> None:
    user = make_user("rep")
    for _ in range(10):
        r = client.post("/api/v1/auth/token", data={"username": user.email, "password": "bad"})
        assert r.status_code == 401
    eleventh = client.post("/api/v1/auth/token", data={"username": user.email, "password": "bad"})
    assert eleventh.status_code == 429
    assert 0 < int(eleventh.headers["retry-after"]) <= 15 * 60
    # even the right password waits while throttled ...
    right = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert right.status_code == 429
    # ... and the form says so too
    form = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)}
    )
    assert form.status_code == 429 and "retry-after" in form.headers
    clock.advance(minutes=16)
    assert bearer(client, user.email)


def test_form_post_without_csrf_token_is_forbidden(client: TestClient, make_user) -> None:
    user = make_user("rep")
    csrf(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    forged = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_htmx_requests_send_the_token_as_a_header(client: TestClient, make_user) -> None:
    user = make_user("rep")
    login(client, user.email)
    page = client.get("/")
    assert f'"X-CSRF-Token": "{client.cookies["telroi_csrf"]}"' in page.text
    ok = client.post(
        "/language",
        data={"locale": "zh_Hans"},
        headers={"X-CSRF-Token": client.cookies["telroi_csrf"], "HX-Request": "true"},
    )
    assert ok.status_code == 303


def test_session_cookie_flags_and_a_new_session_id_at_login(client: TestClient, make_user) -> None:
    user = make_user("rep")
    client.cookies.set("telroi_session", "planted-by-an-attacker")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)}
    )
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("telroi_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "secure" in flags and "samesite=lax" in flags
    assert "planted-by-an-attacker" not in cookie


def test_plain_http_cookie_is_not_secure(app, make_user) -> None:
    user = make_user("rep")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as plain:
        response = plain.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(plain)}
        )
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("telroi_session=")
    )
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


def test_logout_ends_the_session_on_the_server(client: TestClient, make_user) -> None:
    user = make_user("rep")
    login(client, user.email)
    stolen = client.cookies["telroi_session"]
    client.post("/logout", data={"csrf_token": csrf(client)})
    client.cookies.set("telroi_session", stolen)
    assert client.get("/").status_code == 303


def test_idle_and_absolute_timeouts(client: TestClient, make_user, clock: Clock) -> None:
    user = make_user("rep")
    login(client, user.email)
    clock.advance(minutes=119)
    assert client.get("/").status_code == 200
    clock.advance(minutes=121)  # idle for more than two hours
    assert client.get("/").headers["location"] == "/login"
    login(client, user.email)
    for _ in range(13):  # active every hour, but the session dies after 12 hours
        clock.advance(minutes=60)
        last = client.get("/")
    assert last.status_code == 303


def test_deactivated_user_loses_session_and_tokens(client: TestClient, make_user, app) -> None:
    admin = make_user("admin")
    rep = make_user("rep")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as rep_client:
        login(rep_client, rep.email)
        headers = bearer(rep_client, rep.email)
        assert rep_client.get("/").status_code == 200
        login(client, admin.email)
        r = client.post(f"/admin/users/{rep.id}", data={"role": "rep", "csrf_token": csrf(client)})
        assert r.status_code == 303
        assert rep_client.get("/").status_code == 303
        assert rep_client.get("/api/v1/me", headers=headers).status_code == 401
        again = rep_client.post(
            "/api/v1/auth/token", data={"username": rep.email, "password": PASSWORD}
        )
        assert again.status_code == 401


def test_api_needs_a_bearer_token(client: TestClient, make_user) -> None:
    user = make_user("engineer")
    assert client.get("/api/v1/me").status_code == 401
    me = client.get("/api/v1/me", headers=bearer(client, user.email)).json()
    assert me["email"] == user.email and me["role"] == "engineer"


def test_next_parameter_cannot_redirect_off_site(client: TestClient, make_user) -> None:
    user = make_user("rep")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": csrf(client),
        },
    )
    assert response.headers["location"] == "/"
