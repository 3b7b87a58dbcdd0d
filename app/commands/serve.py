"""``telroi serve``: migrate, seed an empty database, then serve with uvicorn."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime

from app.db.engine import make_engine, make_sessionmaker
from app.db.migrate import upgrade
from app.services import tariffs
from app.settings import get_settings


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="serve the app (applies migrations first)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-Proto/For from the proxy (behind https)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as db:
        seeded = tariffs.seed_if_empty(db, now=datetime.now(UTC))
        db.commit()
    if seeded:
        print(f"seeded {seeded} tariffs from tariffs/")
    engine.dispose()
    uvicorn.run(
        "app.web.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips="*" if args.proxy_headers else None,
        access_log=False,
    )
    return 0
