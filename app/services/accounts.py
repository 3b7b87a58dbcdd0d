"""Users, passwords (argon2id), sessions and API tokens, login throttling."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db.models import AuthSession, LoginFailure, Role, User
from app.settings import Settings
from app.text import N_

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("telroi-timing-equaliser")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """Bad account input; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidCredentials(Exception):
    """Unknown user, wrong password or inactive account: one answer for all three."""


class Throttled(Exception):
    """Too many recent failures for this account or address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Issued:
    """A new session or token: ``secret`` goes to the client, only its hash is stored."""

    secret: str
    expires_at: datetime


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    db: Session,
    *,
    email: str,
    password: str,
    role: str,
    now: datetime,
    manager_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Create a user after checking the e-mail, role and password length."""
    email = normalize_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("email", N_("Not a valid e-mail address."))
    if role not in {r.value for r in Role}:
        raise AccountError("role", N_("Unknown role."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", N_("The password needs at least 10 characters."))
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", N_("A user with this e-mail already exists."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        manager_id=manager_id,
        locale=locale,
        is_active=True,
        created_at=now,
    )
    db.add(user)
    db.flush()
    return user


def user_count(db: Session) -> int:
    return db.scalar(select(func.count(User.id))) or 0


def _throttle_keys(email: str, address: str) -> list[tuple[str, str]]:
    return [("account", f"account:{normalize_email(email)}"), ("address", f"address:{address}")]


def _check_throttle(db: Session, email: str, address: str, now: datetime, s: Settings) -> None:
    window = timedelta(minutes=s.login_window_minutes)
    limits = {"account": s.login_max_failures_account, "address": s.login_max_failures_address}
    for scope, key in _throttle_keys(email, address):
        recent = db.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.key == key, LoginFailure.at > now - window)
            .order_by(LoginFailure.at)
        ).all()
        if len(recent) >= limits[scope]:
            oldest_counted = recent[len(recent) - limits[scope]]
            retry = math.ceil((oldest_counted + window - now).total_seconds())
            raise Throttled(max(retry, 1))


def authenticate(
    db: Session, *, email: str, password: str, address: str, now: datetime, settings: Settings
) -> User:
    """The active user with these credentials, or ``InvalidCredentials``/``Throttled``.

    Failures are recorded per account and per address; after ``login_max_failures_*`` of
    them within the window every attempt is refused with the seconds to wait.
    """
    _check_throttle(db, email, address, now, settings)
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        for _scope, key in _throttle_keys(email, address):
            db.add(LoginFailure(key=key, at=now))
        db.commit()
        raise InvalidCredentials
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.execute(delete(LoginFailure).where(LoginFailure.key == _throttle_keys(email, address)[0][1]))
    return user


def issue(db: Session, user: User, *, kind: str, now: datetime, settings: Settings) -> Issued:
    """Start a browser session (``web``) or an API token (``api``) for ``user``."""
    secret = secrets.token_urlsafe(32)
    hours = settings.session_absolute_hours if kind == "web" else settings.api_token_hours
    expires = now + timedelta(hours=hours)
    db.add(
        AuthSession(
            id=_digest(secret),
            user_id=user.id,
            kind=kind,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
        )
    )
    db.flush()
    return Issued(secret=secret, expires_at=expires)


def resolve(
    db: Session, secret: str, *, kind: str, now: datetime, settings: Settings
) -> User | None:
    """The active user of a live session or token; expired ones are deleted.

    A web session dies ``session_idle_minutes`` after its last use, and in any case at its
    absolute expiry; an API token at its expiry.
    """
    found = db.get(AuthSession, _digest(secret))
    if found is None or found.kind != kind:
        return None
    idle_limit = found.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= found.expires_at or (kind == "web" and now >= idle_limit) or not found.user.is_active:
        db.delete(found)
        db.commit()
        return None
    if (now - found.last_seen_at).total_seconds() > 30:
        found.last_seen_at = now
        db.commit()
    return found.user


def revoke(db: Session, secret: str) -> None:
    """End one session or token on the server."""
    db.execute(delete(AuthSession).where(AuthSession.id == _digest(secret)))


def set_active(db: Session, user: User, active: bool) -> None:
    """Activate or deactivate ``user``; deactivation ends all their sessions and tokens."""
    user.is_active = active
    if not active:
        db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
