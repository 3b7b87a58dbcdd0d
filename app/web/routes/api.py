"""The JSON API under /api/v1 (CONTRACT.md); every endpoint but the token one needs a
bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.core.erlang import MAX_TRAFFIC, channels_for, erlang_b
from app.services import accounts
from app.web.deps import ApiUser, AppSettings, Db, Now

router = APIRouter(prefix="/api/v1")


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)


class Me(BaseModel):
    id: int
    email: str
    role: str
    locale: str | None


@router.post("/auth/token", response_model=Token, tags=["auth"])
def issue_token(
    request: Request,
    db: Db,
    now: Now,
    settings: AppSettings,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """OAuth2 password flow: e-mail and password in, bearer token out (401 on bad
    credentials, 429 with Retry-After when throttled)."""
    address = request.client.host if request.client else "unknown"
    try:
        user = accounts.authenticate(
            db,
            email=form.username,
            password=form.password,
            address=address,
            now=now,
            settings=settings,
        )
    except accounts.Throttled as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "Too many failed logins; try again later.",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
    except accounts.InvalidCredentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Wrong e-mail or password.",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None
    issued = accounts.issue(db, user, kind="api", now=now, settings=settings)
    db.commit()
    return Token(access_token=issued.secret)


@router.get("/me", response_model=Me, tags=["auth"])
def me(user: ApiUser) -> Me:
    """The user the bearer token belongs to."""
    return Me(id=user.id, email=user.email, role=user.role, locale=user.locale)


class ErlangB(BaseModel):
    traffic: float
    gos: float
    channels: int
    blocking: float


@router.get("/erlang-b", response_model=ErlangB, tags=["traffic"])
def erlang_b_channels(
    traffic: Annotated[float, Query(ge=0, le=MAX_TRAFFIC, description="offered traffic, Erlangs")],
    gos: Annotated[float, Query(gt=0, lt=1, description="grade of service")] = 0.01,
) -> ErlangB:
    """Channels needed for ``traffic`` Erlangs at grade of service ``gos`` (Erlang B), and
    the blocking ``B(N, A)`` they give. No token needed."""
    try:
        channels = channels_for(traffic, gos)
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return ErlangB(
        traffic=traffic, gos=gos, channels=channels, blocking=erlang_b(channels, traffic)
    )
