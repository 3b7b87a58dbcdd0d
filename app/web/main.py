"""The ASGI app for uvicorn workers: ``app.web.main:app``."""

from app.web.app import create_app

app = create_app()
