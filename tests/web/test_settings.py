"""Settings: the generated secret key, and known defaults refused in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_secret_is_generated_once_and_kept_under_the_data_dir(tmp_path: Path) -> None:
    first = Settings(TELROI_DATA_DIR=tmp_path, TELROI_SECRET_KEY="")
    second = Settings(TELROI_DATA_DIR=tmp_path, TELROI_SECRET_KEY="")
    assert len(first.secret_key) >= 40 and first.secret_key == second.secret_key
    stored = tmp_path / "secret_key"
    assert stored.read_text() == first.secret_key
    assert stored.stat().st_mode & 0o077 == 0  # readable by the owner only


@pytest.mark.parametrize("key", ["changeme", "secret", "short"])
def test_known_default_or_short_key_is_refused_in_production(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValidationError, match="TELROI_SECRET_KEY"):
        Settings(TELROI_DATA_DIR=tmp_path, TELROI_SECRET_KEY=key, TELROI_ENV="production")
    # a developer may use one locally
    assert Settings(TELROI_DATA_DIR=tmp_path, TELROI_SECRET_KEY=key).secret_key == key


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(TELROI_DATA_DIR=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'telroi.db'}"
    assert settings.max_upload_mb == 50 and settings.max_upload_bytes == 50 * 1024 * 1024
    assert settings.default_locale == "en"
