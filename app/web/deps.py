"""FastAPI dependencies: database session, clock, settings, users, roles, CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from app.db.models import Role, User
from app.services import accounts
from app.settings import Settings
from app.text import N_
from app.web.middleware import CSRF_COOKIE


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is logged in (answered with a redirect)."""


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as db:
        yield db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


Db = Annotated[Session, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Now = Annotated[datetime, Depends(get_now)]


def current_user(request: Request, db: Db) -> User:
    """The logged-in user of a page request, attached to this request's DB session."""
    user: User | None = request.state.user
    if user is None:
        raise LoginRequired
    return db.merge(user, load=False)


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting only users with one of ``roles`` (403 otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, N_("You do not have access to this page.")
            )
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def api_user(
    request: Request,
    db: Db,
    settings: AppSettings,
    now: Now,
    token: Annotated[str | None, Depends(bearer)],
) -> User:
    """The user of a valid ``Authorization: Bearer`` token (401 otherwise)."""
    user = accounts.resolve(db, token, kind="api", now=now, settings=settings) if token else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Not authenticated: send Authorization: Bearer <token> from /api/v1/auth/token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.api_user = user
    return user


ApiUser = Annotated[User, Depends(api_user)]


async def verify_csrf(request: Request) -> None:
    """Refuse (403) an unsafe request whose CSRF token (form field ``csrf_token`` or
    header ``X-CSRF-Token``, as htmx sends it) does not match the CSRF cookie."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            N_("This form has expired or did not come from Telroi. Reload the page and try again."),
        )
