"""Typed settings from the environment (pydantic-settings)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
KNOWN_DEFAULT_KEYS = frozenset({"changeme", "change-me", "secret", "dev", "telroi"})


class Settings(BaseSettings):
    """Telroi's configuration; each field reads the environment variable of its alias."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(ROOT / "data", alias="TELROI_DATA_DIR")
    database_url: str = Field("", alias="DATABASE_URL")
    max_upload_mb: int = Field(50, alias="TELROI_MAX_UPLOAD_MB", gt=0)
    secret_key: str = Field("", alias="TELROI_SECRET_KEY")
    environment: Literal["development", "production"] = Field("development", alias="TELROI_ENV")
    default_locale: Literal["en", "zh_Hans"] = Field("en", alias="TELROI_DEFAULT_LOCALE")
    default_currency: str = Field("CNY", alias="TELROI_DEFAULT_CURRENCY", pattern=r"^[A-Z]{3}$")
    session_idle_minutes: int = Field(120, alias="TELROI_SESSION_IDLE_MINUTES", gt=0)
    session_absolute_hours: int = Field(12, alias="TELROI_SESSION_ABSOLUTE_HOURS", gt=0)
    api_token_hours: int = Field(12, alias="TELROI_API_TOKEN_HOURS", gt=0)
    login_max_failures_account: int = Field(10, alias="TELROI_LOGIN_MAX_FAILURES", gt=0)
    login_max_failures_address: int = Field(30, alias="TELROI_LOGIN_MAX_FAILURES_ADDRESS", gt=0)
    login_window_minutes: int = Field(15, alias="TELROI_LOGIN_WINDOW_MINUTES", gt=0)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'telroi.db'}"
        if not self.secret_key:
            self.secret_key = _stored_secret(self.data_dir)
        elif self.environment == "production" and (
            self.secret_key.strip().lower() in KNOWN_DEFAULT_KEYS or len(self.secret_key) < 16
        ):
            raise ValueError("TELROI_SECRET_KEY is a known default or too short for production")
        return self

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


def _stored_secret(data_dir: Path) -> str:
    """The secret kept in ``data/secret_key``, generated (256 bits) on first use."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
