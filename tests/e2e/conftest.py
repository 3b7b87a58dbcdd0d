"""A live Telroi on a free port (fresh SQLite file) and Debian's Chromium via Playwright.

Screenshots of every step are kept under ``test-artifacts/`` as test artefacts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from app.db.engine import make_engine, make_sessionmaker
from app.db.migrate import upgrade
from app.services import accounts, tariffs
from app.settings import Settings
from app.web.app import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


REP_EMAIL = "rep@example.com"
REP_PASSWORD = "a long rep password"


@contextmanager
def _serve(data: Path, *, seeded: bool) -> Iterator[str]:
    """Serve Telroi with uvicorn in a thread on a new SQLite database; yield its URL."""
    settings = Settings(
        DATABASE_URL=f"sqlite:///{data / 'telroi.db'}",
        TELROI_DATA_DIR=data,
        TELROI_SECRET_KEY="e2e-secret-key-0123456789abcdef",
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    if seeded:
        now = datetime.now(UTC)
        with make_sessionmaker(engine)() as db:
            tariffs.seed_if_empty(db, now=now)
            accounts.create_user(db, email=REP_EMAIL, password=REP_PASSWORD, role="rep", now=now)
            db.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh Telroi with no user at all (the first-run setup page)."""
    with _serve(tmp_path_factory.mktemp("live"), seeded=False) as url:
        yield url


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Telroi with the shipped tariffs and a rep (``REP_EMAIL``)."""
    with _serve(tmp_path_factory.mktemp("seeded"), seeded=True) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server_url(request: pytest.FixtureRequest) -> str:
    """The server a test runs against: ``seeded_server`` when the test asks for it."""
    name = "seeded_server" if "seeded_server" in request.fixturenames else "live_server"
    return str(request.getfixturevalue(name))


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh browser context; every request it makes is recorded in ``page.requests``."""
    context = browser.new_context(base_url=server_url, viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda request: requests.append(request.url))
    pg.requests = requests  # type: ignore[attr-defined]
    errors: list[str] = []  # console errors (a CSP violation shows here) and page errors
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest, page: Page):  # type: ignore[no-untyped-def]
    """``shot("step")`` saves a full-page screenshot under test-artifacts/<test>/."""
    folder = ARTIFACTS / request.node.name.replace("[", "_").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(step: str) -> Path:
        path = folder / f"{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
