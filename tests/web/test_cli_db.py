"""The database commands of the CLI: ``users create`` and ``tariffs import``."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.db.engine import make_engine, make_sessionmaker
from app.db.models import Tariff, User
from app.settings import get_settings
from tests.conftest import ROOT


@pytest.fixture
def env_db(
    app, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The CLI pointed at the test database (emptied by ``app``)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TELROI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def _users(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        rows = [(u.email, u.role) for u in db.scalars(select(User))]
    engine.dispose()
    return rows


def test_users_create_reads_the_password_from_stdin(
    env_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "create", "--email", "Boss@Example.com", "--role", "admin"]) == 0
    assert _users(env_db) == [("boss@example.com", "admin")]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "create", "--email", "x@example.com", "--role", "rep"]) == 2
    assert "10 characters" in capsys.readouterr().err
    assert len(_users(env_db)) == 1  # nothing written on failure


def test_tariffs_import_creates_then_versions(
    env_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tariffs"
    shutil.copytree(ROOT / "tariffs", folder, ignore=shutil.ignore_patterns("*.md", "*.json"))
    assert main(["tariffs", "import", str(folder)]) == 0
    first = capsys.readouterr().out
    assert "cn-sip-trunk: created (version 1)" in first
    path = folder / "cn-sip-trunk.yaml"
    path.write_text(path.read_text("utf-8") + "\n# tuned\n", "utf-8")
    assert main(["tariffs", "import", str(folder)]) == 0
    second = capsys.readouterr().out
    assert "cn-sip-trunk: updated (version 2)" in second
    assert "cn-hosted-pbx: unchanged (version 1)" in second
    (folder / "broken.yaml").write_text("name: x\nkind: pstn\ncurrency: CNY\nbogus: 1\n")
    assert main(["tariffs", "import", str(folder)]) == 2
    assert "broken.yaml:4" in capsys.readouterr().err
    engine = make_engine(env_db)
    with make_sessionmaker(engine)() as db:
        assert db.get(Tariff, "cn-sip-trunk").version == 2  # type: ignore[union-attr]
        assert db.get(Tariff, "broken") is None
    engine.dispose()
