"""Locales, message catalogues (Babel) and locale-aware formatting for templates."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LOCALES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文"}
"""Supported UI locales and their names in their own language."""
BABEL_LOCALE = {"en": "en_US", "zh_Hans": "zh_Hans_CN"}
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of ``locale``, compiled in memory from its ``.po`` file."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(locale: str) -> Callable[[str], str]:
    """``_`` for Python code (flash messages, errors shown on pages)."""
    return translations(locale).gettext


def negotiate(accept_language: str | None) -> str | None:
    """The supported locale preferred by an ``Accept-Language`` header, if any."""
    if not accept_language:
        return None
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return None


def formatters(locale: str) -> dict[str, Any]:
    """Template helpers formatting money, numbers, percentages and dates for ``locale``."""
    babel_locale = Locale.parse(BABEL_LOCALE[locale])

    def money(amount: Decimal | float | int | None, currency: str, digits: int = 2) -> str:
        if amount is None:
            return "—"
        if digits == 2:
            return format_currency(amount, currency, locale=babel_locale)
        pattern = babel_locale.currency_formats["standard"].pattern.split(";")[0]
        pattern = pattern.replace(".00", "." + "0" * digits if digits else "")
        return format_currency(
            amount, currency, format=pattern, locale=babel_locale, currency_digits=False
        )

    def number(value: Decimal | float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=fmt, locale=babel_locale)

    def percent(value: float | None, digits: int = 1) -> str:
        if value is None:
            return "—"
        return format_percent(value, format="#,##0." + "0" * digits + "%", locale=babel_locale)

    def when(value: datetime | None) -> str:
        return "—" if value is None else format_datetime(value, "medium", locale=babel_locale)

    return {"money": money, "number": number, "percent": percent, "when": when}
