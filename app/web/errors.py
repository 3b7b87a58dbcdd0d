"""Error answers: ``{"detail": …}`` JSON under /api, friendly HTML pages elsewhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.services import accounts
from app.web.deps import LoginRequired
from app.web.templating import render

log = logging.getLogger("telroi.errors")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def describe_validation(exc: RequestValidationError) -> str:
    """One line per invalid field: ``body.seats: Input should be greater than 0``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        with request.app.state.sessionmaker() as db:
            target = "/setup" if accounts.user_count(db) == 0 else "/login"
        if target == "/login" and request.url.path != "/":
            target += f"?next={request.url.path}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)
        return render(
            request,
            "pages/error.html",
            {"status_code": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = describe_validation(exc)
        if wants_json(request):
            return JSONResponse(
                {"detail": detail, "errors": jsonable(exc)}, status.HTTP_422_UNPROCESSABLE_CONTENT
            )
        return render(
            request,
            "pages/error.html",
            {"status_code": 422, "detail": detail},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        if wants_json(request):
            return JSONResponse({"detail": "internal error"}, status.HTTP_500_INTERNAL_SERVER_ERROR)
        return render(
            request,
            "pages/error.html",
            {"status_code": 500, "detail": None},
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )


def jsonable(exc: RequestValidationError) -> list[dict[str, object]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
        for e in exc.errors()
    ]
