"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from app.db.engine import make_engine, make_sessionmaker
from app.settings import Settings, get_settings
from app.web import errors
from app.web.assets import HashedStaticFiles, Manifest
from app.web.limits import BodyLimitMiddleware
from app.web.middleware import RequestContextMiddleware, RequestLogMiddleware
from app.web.routes import (
    admin,
    analyses_api,
    api,
    auth,
    comparisons_api,
    flow,
    health,
    ratings_api,
    tariffs_api,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    """Build the app for ``settings``; migrations are applied by the caller (``serve``)."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = FastAPI(
        title="Telroi",
        description="Telecom TCO and payback from the client's own phone bills.",
        version="0.1.0",
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.clock = clock
    app.state.manifest = Manifest()

    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(RequestLogMiddleware)
    errors.install(app)
    app.mount("/static", HashedStaticFiles(app.state.manifest), name="static")
    routers = (
        health.router,
        api.router,
        analyses_api.router,
        comparisons_api.router,
        ratings_api.router,
        tariffs_api.router,
        auth.router,
        admin.router,
        flow.router,
    )
    for router in routers:
        app.include_router(router)
    return app
