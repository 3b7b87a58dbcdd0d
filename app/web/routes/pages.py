"""The signed-in pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web.deps import CurrentUser, verify_csrf
from app.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)])


@router.get("/")
def dashboard(request: Request, user: CurrentUser) -> Response:
    """The rep's dashboard: saved comparisons (none yet on a new install)."""
    return render(request, "pages/dashboard.html", {"proposals": []})
