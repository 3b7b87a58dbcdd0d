"""Shared fixtures: real databases (a SQLite file and a PostgreSQL database of the test
run's own), the app on them, a controllable clock, users and logged-in clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import delete

from app.db.engine import make_engine, make_sessionmaker
from app.db.migrate import upgrade
from app.db.models import Base, User
from app.services import accounts
from app.settings import Settings
from app.web.app import create_app

# Property tests run on a shared, sometimes loaded machine (and CI): no per-example deadline.
hypothesis_settings.register_profile(
    "telroi", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("telroi")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery"


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of this test run's own, on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'telroi.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    name = f"telroi_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        TELROI_DATA_DIR=tmp_path,
        TELROI_SECRET_KEY="test-secret-key-0123456789abcdef",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    """The app on an emptied database."""
    application = create_app(settings, clock=clock)
    engine = application.state.engine
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    yield application
    engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A browser-like client over https (so cookies carry ``Secure``)."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def make_user(app: FastAPI, clock: Clock):  # type: ignore[no-untyped-def]
    """Create a user: ``make_user("rep")`` → the User (password ``PASSWORD``)."""

    def make(role: str = "rep", email: str | None = None, manager_id: int | None = None) -> User:
        with make_sessionmaker(app.state.engine)() as db:
            user = accounts.create_user(
                db,
                email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.com",
                password=PASSWORD,
                role=role,
                now=clock(),
                manager_id=manager_id,
            )
            db.commit()
            return user

    return make


def csrf(client: TestClient) -> str:
    """The CSRF token of ``client`` (set by its first page view)."""
    token = client.cookies.get("telroi_csrf")
    if token is None:
        client.get("/login")
        token = client.cookies.get("telroi_csrf")
    assert token
    return token


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )
    assert response.status_code == 303, response.text


def bearer(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
