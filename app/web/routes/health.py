"""Liveness with a database check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz(request: Request) -> JSONResponse:
    """``200 {"status": "ok"}`` when the database answers, else 503."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "detail": "database"}, status_code=503)
    return JSONResponse({"status": "ok"})
