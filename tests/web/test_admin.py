"""The admin pages: only admins; create, change role, deactivate."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import csrf, login


def test_rep_gets_403_on_admin_pages(client: TestClient, make_user) -> None:
    rep = make_user("rep")
    login(client, rep.email)
    assert client.get("/admin/users").status_code == 403
    r = client.post(
        "/admin/users",
        data={
            "email": "x@example.com",
            "password": "p" * 12,
            "role": "admin",
            "csrf_token": csrf(client),
        },
    )
    assert r.status_code == 403


def test_admin_creates_and_changes_users(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    manager = make_user("manager")
    login(client, admin.email)
    page = client.get("/admin/users")
    assert page.status_code == 200 and manager.email in page.text
    created = client.post(
        "/admin/users",
        data={
            "email": "new.rep@example.com",
            "password": "p" * 12,
            "role": "rep",
            "manager_id": str(manager.id),
            "csrf_token": csrf(client),
        },
    )
    assert created.status_code == 303
    page = client.get("/admin/users")
    assert "new.rep@example.com" in page.text
    duplicate = client.post(
        "/admin/users",
        data={
            "email": "NEW.rep@example.com",
            "password": "p" * 12,
            "role": "rep",
            "csrf_token": csrf(client),
        },
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    bad_role = client.post(
        "/admin/users",
        data={
            "email": "z@example.com",
            "password": "p" * 12,
            "role": "pope",
            "csrf_token": csrf(client),
        },
    )
    assert bad_role.status_code == 422


def test_admin_cannot_lock_themselves_out(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    login(client, admin.email)
    r = client.post(
        f"/admin/users/{admin.id}", data={"role": "rep", "active": "1", "csrf_token": csrf(client)}
    )
    assert r.status_code == 422
