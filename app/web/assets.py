"""Static files: content-hashed URLs, cached for a year when the hash matches."""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"


class Manifest:
    """Maps each file under ``static/`` to a short hash of its content."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self.root = root
        self.hashes: dict[str, str] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                rel = path.relative_to(root).as_posix()
                self.hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    def url(self, rel: str) -> str:
        """``/static/<rel>?v=<hash>``: a new URL whenever the file changes."""
        return f"/static/{rel}?v={self.hashes[rel]}"


class HashedStaticFiles(StaticFiles):
    """Serves ``static/``; a request carrying the current hash may be cached for a year."""

    def __init__(self, manifest: Manifest) -> None:
        super().__init__(directory=manifest.root)
        self.manifest = manifest

    def file_response(
        self, full_path: object, stat_result: object, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)  # type: ignore[arg-type]
        query = scope.get("query_string", b"").decode()
        rel = self.get_path(scope).replace("\\", "/")
        if f"v={self.manifest.hashes.get(rel, '-')}" in query.split("&"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
