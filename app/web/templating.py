"""Jinja2 rendering: one autoescaping environment per UI locale, with gettext installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.web.i18n import HTML_LANG, LOCALES, formatters, translations
from app.web.present import keep, presenters

TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


@cache
def environment(locale: str) -> Environment:
    """The template environment of ``locale`` (autoescape on, ``{% trans %}`` enabled)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(formatters(locale))
    env.globals.update(presenters(locale))
    env.globals.update(locale=locale, html_lang=HTML_LANG[locale], LOCALES=LOCALES, keep=keep)
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` in the request's locale with the page frame's context."""
    state = request.state
    ctx: dict[str, Any] = {
        "request": request,
        "user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "static": request.app.state.manifest.url,
        "current_path": request.url.path,
    }
    ctx.update(context or {})
    html = environment(getattr(state, "locale", "en")).get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers=headers)
