"""First-run setup, login, logout and the language switch."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app.db.models import Role, User
from app.services import accounts
from app.text import N_
from app.web.deps import AppSettings, Db, Now, verify_csrf
from app.web.i18n import LOCALES, gettext
from app.web.middleware import LANG_COOKIE, SESSION_COOKIE, is_https
from app.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)])


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _start_session(
    request: Request, response: Response, db: Db, user_id: int, now: Now, settings: AppSettings
) -> None:
    user = db.get(User, user_id)
    assert user is not None
    issued = accounts.issue(db, user, kind="web", now=now, settings=settings)
    db.commit()
    response.set_cookie(
        SESSION_COOKIE,
        issued.secret,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        max_age=settings.session_absolute_hours * 3600,
    )
    request.state.session_set = True
    request.state.csrf_token = secrets.token_urlsafe(32)
    request.state.rotate_csrf = True


@router.get("/setup")
def setup_form(request: Request, db: Db) -> Response:
    if accounts.user_count(db) > 0:
        raise HTTPException(status.HTTP_404_NOT_FOUND, N_("Telroi is already set up."))
    return render(request, "pages/setup.html", {"errors": {}, "email": ""})


@router.post("/setup")
def setup(
    request: Request,
    db: Db,
    now: Now,
    settings: AppSettings,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
) -> Response:
    """Create the first admin (only while there is no user at all) and log them in."""
    _ = gettext(request.state.locale)
    if accounts.user_count(db) > 0:
        raise HTTPException(status.HTTP_404_NOT_FOUND, N_("Telroi is already set up."))
    errors: dict[str, str] = {}
    if password != password_again:
        errors["password_again"] = _("The two passwords differ.")
    else:
        try:
            user = accounts.create_user(
                db,
                email=email,
                password=password,
                role=Role.ADMIN,
                now=now,
                locale=request.state.locale,
            )
        except accounts.AccountError as exc:
            errors[exc.field] = _(str(exc))
    if errors:
        db.rollback()
        return render(
            request, "pages/setup.html", {"errors": errors, "email": email}, status_code=422
        )
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    _start_session(request, response, db, user.id, now, settings)
    return response


@router.get("/login")
def login_form(request: Request, db: Db, next: str = "/") -> Response:
    if accounts.user_count(db) == 0:
        return RedirectResponse("/setup", status_code=status.HTTP_303_SEE_OTHER)
    return render(request, "pages/login.html", {"error": None, "email": "", "next": next})


@router.post("/login")
def login(
    request: Request,
    db: Db,
    now: Now,
    settings: AppSettings,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials; on success start a new session (a fresh session id)."""
    _ = gettext(request.state.locale)
    address = request.client.host if request.client else "unknown"
    try:
        user = accounts.authenticate(
            db, email=email, password=password, address=address, now=now, settings=settings
        )
    except accounts.Throttled as exc:
        message = _("Too many failed attempts. Try again in %(seconds)s seconds.") % {
            "seconds": exc.retry_after
        }
        return render(
            request,
            "pages/login.html",
            {"error": message, "email": email, "next": next},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except accounts.InvalidCredentials:
        return render(
            request,
            "pages/login.html",
            {"error": _("Wrong e-mail or password."), "email": email, "next": next},
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    response = RedirectResponse(local_path(next), status_code=status.HTTP_303_SEE_OTHER)
    _start_session(request, response, db, user.id, now, settings)
    return response


@router.post("/logout")
def logout(request: Request, db: Db) -> Response:
    """End the session on the server and drop its cookie."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.revoke(db, secret)
        db.commit()
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    request.state.session_set = True
    return response


@router.post("/language")
def switch_language(
    request: Request,
    db: Db,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the UI language; remembered in a cookie and, when logged in, on the user."""
    if locale not in LOCALES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown locale {locale!r}")
    if request.state.user is not None:
        user = db.get(User, request.state.user.id)
        if user is not None:
            user.locale = locale
            db.commit()
    response = RedirectResponse(local_path(next), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", secure=is_https(request)
    )
    return response
