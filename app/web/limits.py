"""Refuse request bodies over ``TELROI_MAX_UPLOAD_MB`` early: by ``Content-Length`` before
reading anything, and while streaming when there is none (chunked uploads)."""

from __future__ import annotations

import json

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large(limit_mb: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"The upload is larger than the limit of {limit_mb} MB (TELROI_MAX_UPLOAD_MB).",
    )


class BodyLimitMiddleware:
    """Counts body bytes; past the limit the request fails with 413 (never a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        limit = settings.max_upload_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reject(send, settings.max_upload_mb)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(settings.max_upload_mb)
            return message

        await self.app(scope, counting_receive, send)


async def _reject(send: Send, limit_mb: int) -> None:
    body = json.dumps({"detail": too_large(limit_mb).detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
