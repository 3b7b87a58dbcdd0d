"""Per-request context (session, CSRF cookie, locale), security headers and request logs."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from app.services import accounts
from app.web.i18n import LOCALES, negotiate

SESSION_COOKIE = "telroi_session"
CSRF_COOKIE = "telroi_csrf"
LANG_COOKIE = "telroi_lang"

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # plotly.js writes <style> rules and style attributes on its SVG: the one exception.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SHARE_PATH = re.compile(r"^/s/[^/]+")
log = logging.getLogger("telroi.request")

Next = Callable[[Request], Awaitable[Response]]


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def safe_path(path: str) -> str:
    """The path for logs: a share token is replaced by ``…`` (queries are never logged)."""
    return SHARE_PATH.sub("/s/…", path)


class RequestContextMiddleware(BaseHTTPMiddleware):
    """Resolves the user, CSRF token and locale, and adds security headers."""

    async def dispatch(self, request: Request, call_next: Next) -> Response:
        if request.url.path.startswith("/static/"):
            return await call_next(request)
        app = request.app
        state = request.state
        now = app.state.clock()
        settings = app.state.settings
        state.user = None
        csrf_cookie = request.cookies.get(CSRF_COOKIE)
        state.csrf_token = csrf_cookie or secrets.token_urlsafe(32)
        session_secret = request.cookies.get(SESSION_COOKIE)
        drop_session_cookie = False
        if session_secret:
            with app.state.sessionmaker() as db:
                state.user = accounts.resolve(
                    db, session_secret, kind="web", now=now, settings=settings
                )
                if state.user is not None:
                    db.expunge(state.user)
            drop_session_cookie = state.user is None
        state.locale = (
            (state.user.locale if state.user is not None else None)
            or _known(request.cookies.get(LANG_COOKIE))
            or negotiate(request.headers.get("accept-language"))
            or settings.default_locale
        )
        response = await call_next(request)
        secure = is_https(request)
        if csrf_cookie is None or getattr(state, "rotate_csrf", False):
            response.set_cookie(
                CSRF_COOKIE, state.csrf_token, httponly=True, samesite="lax", secure=secure
            )
        if drop_session_cookie and not getattr(state, "session_set", False):
            response.delete_cookie(SESSION_COOKIE)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if "text/html" in headers.get("content-type", ""):
            headers.setdefault("Cache-Control", "no-store")
        return response


def _known(locale: str | None) -> str | None:
    return locale if locale in LOCALES else None


class RequestLogMiddleware(BaseHTTPMiddleware):
    """One JSON line per request: method, path (tokens masked), status, ms, user id."""

    async def dispatch(self, request: Request, call_next: Next) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            user = getattr(request.state, "user", None) or getattr(request.state, "api_user", None)
            log.info(
                json.dumps(
                    {
                        "method": request.method,
                        "path": safe_path(request.url.path),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": getattr(user, "id", None),
                    }
                )
            )
