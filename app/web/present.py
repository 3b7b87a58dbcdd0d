"""Translated wording of what the comparison engine reports: assumptions, warnings, line
names, sources and notes (the engine gives stable keys and figures; the words are here)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup, escape

from app.core.scenarios import Comparison, ScenarioError
from app.services.proposals import DEFAULT_NAMES
from app.web.i18n import LOCALES, formatters, gettext

_LEASED = re.compile(r"^(?P<item>.+) \(lease\)$")
_LOCATED = re.compile(
    r"^(?P<file>[^:]+?)(?:, line (?P<line>\d+))?(?:, column (?P<column>[^:]+?))?: (?P<reason>.+)$",
    re.DOTALL,
)


def keep(value: object) -> Markup:
    """Data inside translated words, marked ``translate="no"`` (and escaped)."""
    return Markup('<span translate="no">{}</span>').format(value)


def option_name(name: str, locale: str) -> str:
    """A default option name ("Today", "Hosted PBX" …, in whichever language it was made)
    in ``locale``; a name the rep wrote stays as written."""
    for key, english in DEFAULT_NAMES.items():
        if name in {english, *(gettext(other)(english) for other in LOCALES)}:
            return gettext(locale)(DEFAULT_NAMES[key])
    return name


def is_default_name(name: str) -> bool:
    """Whether ``name`` is one of Telroi's default option names (in any language)."""
    return any(
        name in {english, *(gettext(other)(english) for other in LOCALES)}
        for english in DEFAULT_NAMES.values()
    )


def name_mark(name: str) -> Markup:
    """An option's name in a phrase: Telroi's own default names are words of the page,
    a name the rep wrote is data (``translate="no"``)."""
    return escape(name) if is_default_name(name) else keep(name)


def localize_names(comparison: Comparison, locale: str) -> Comparison:
    """The comparison with its default option names in ``locale`` (for pages and charts)."""
    return comparison.model_copy(
        update={
            "status_quo": comparison.status_quo.model_copy(
                update={"name": option_name(comparison.status_quo.name, locale)}
            ),
            "alternatives": [
                a.model_copy(update={"name": option_name(a.name, locale)})
                for a in comparison.alternatives
            ],
            "warnings": [
                w.model_copy(update={"option": option_name(w.option, locale)}) if w.option else w
                for w in comparison.warnings
            ],
        }
    )


def scenario_problem(error: ScenarioError, locale: str) -> Markup:
    """What makes a scenario impossible to compute, in words of ``locale`` (the engine's
    own English for an error it gives no code)."""
    _ = gettext(locale)
    texts = {
        "no_days": _("the bill covers no days"),
        "tariff_twice": _("a tariff is listed twice"),
        "unknown_tariff": _("there is no tariff %(tariff)s"),
        "no_currency": _("no tariff and no bill names a currency"),
        "exchange_rate_missing": _(
            "prices in %(currency)s cannot be mixed with %(base)s without an exchange rate "
            "(%(base)s per %(currency)s)"
        ),
        "seats_needed": _("give the number of seats (the bill shows no extensions)"),
        "bill_without_costs": _(
            "the bill carries no costs: choose today's carrier tariff to price its calls"
        ),
        "status_quo_tariff_needed": _("choose today's carrier tariff to price today's calls"),
        "override_tariff": _("%(tariff)s is not one of this option's tariffs"),
        "override_item": _("there is no item %(item)s in %(tariffs)s"),
    }
    text = texts.get(error.code)
    if text is None:
        return keep(error.message)
    return escape(text) % {name: keep(value) for name, value in error.params.items()}


def presenters(locale: str) -> dict[str, Callable[..., Any]]:
    """Template helpers for ``locale``: ``assumption``, ``warning``, ``line_name``,
    ``source_text``, ``note_text`` and ``tr`` (a catalogue lookup that leaves data as is)."""
    _ = gettext(locale)
    fmt = formatters(locale)

    def pct(value: str) -> str:
        try:
            return str(fmt["percent"](float(Decimal(value))))
        except (InvalidOperation, ValueError):
            return value

    def num(value: str, digits: int = 0) -> str:
        try:
            return str(fmt["number"](Decimal(value), digits))
        except (InvalidOperation, ValueError):
            return value

    def assumption(a: Any) -> tuple[str, str, str]:
        """(name, value, detail) of an assumption, in words of the page's language."""
        p = a.params
        key = a.key
        names = {
            "horizon": _("Horizon"),
            "discount_rate": _("Discount rate"),
            "seats": _("Seats"),
            "seats_from_bill": _("Seats"),
            "sites": _("Sites"),
            "seat_growth": _("Seat growth"),
            "usage_growth": _("Usage growth"),
            "usage_follows": _("Usage growth"),
            "escalation": _("Carrier price escalation"),
            "gos": _("Grade of service"),
            "trunk_minutes": _("Trunk minutes a month"),
            "busy_hour": _("Busy-hour traffic"),
            "peak": _("Peak simultaneous calls"),
            "channels": _("Channels"),
            "dids": _("Numbers (DIDs)"),
            "payback_target": _("Payback target for “what it takes”"),
            "todays_usage": _("Today's call charges"),
            "todays_lines": _("Lines today"),
            "exchange_rate": _("Exchange rate"),
        }
        if key == "tariff":
            name = p.get("name", a.name)
            tax = _("prices include tax") if p.get("tax") == "included" else _("prices exclude tax")
            value = f"{p.get('currency', '')}, {tax}"
            detail = escape(_("tariff %(id)s, version %(version)s")) % {
                "id": keep(p.get("id", "")),
                "version": p.get("version", ""),
            }
            return name, value, detail
        if key.startswith("equipment_"):
            mode = key.removeprefix("equipment_")
            value = {
                "buy": _("bought"),
                "rent": _("rented"),
                "lease": _("leased at %(rate)s a year over %(term)s months")
                % {"rate": pct(p.get("rate", "0")), "term": p.get("term", "")},
            }.get(mode, mode)
            option = name_mark(option_name(p.get("option", ""), locale))
            return escape(_("%(option)s: equipment")) % {"option": option}, value, ""
        if key == "termination_fee":
            return (
                escape(_("%(option)s: early-termination fee"))
                % {"option": name_mark(option_name(p.get("option", ""), locale))},
                num(p.get("amount", "0"), 2),
                source_text(a.detail) if a.detail else "",
            )
        if key == "discount":
            return (
                escape(_("%(option)s: discount"))
                % {"option": name_mark(option_name(p.get("option", ""), locale))},
                pct(str(Decimal(p.get("pct", "0")) / 100)),
                "",
            )
        values = {
            "horizon": lambda: _("%(months)s months") % {"months": p["months"]},
            "payback_target": lambda: _("%(months)s months") % {"months": p["months"]},
            "discount_rate": lambda: _("%(rate)s a year") % {"rate": pct(p["rate"])},
            "seat_growth": lambda: _("%(rate)s a year") % {"rate": pct(p["rate"])},
            "usage_growth": lambda: _("%(rate)s a year") % {"rate": pct(p["rate"])},
            "usage_follows": lambda: _("%(rate)s a year") % {"rate": pct(p["rate"])},
            "escalation": lambda: _("%(rate)s a year") % {"rate": pct(p["rate"])},
            "gos": lambda: pct(p["rate"]),
            "trunk_minutes": lambda: num(p["minutes"]),
            "busy_hour": lambda: f"{num(p['erlangs'], 2)} E",
            "todays_usage": lambda: (
                _("%(amount)s a month")
                % {"amount": fmt["money"](Decimal(p["amount"]), p["currency"])}
            ),
            "exchange_rate": lambda: f"1 {p['currency']} = {num(p['rate'], 4)} {p['base']}",
        }
        details = {
            "discount_rate": _("month t discounted by (1 + r)^(t/12)"),
            "seats_from_bill": _("distinct extensions in the bill"),
            "usage_follows": _("follows seats"),
            "trunk_minutes": _("%(days)s days of bill scaled to an average month")
            % {"days": p.get("days", "")},
            "channels": _(
                "the larger of the peak and Erlang B at the grade of service, re-sized every year"
            ),
            "todays_usage": _("what the bill charged, scaled to a month"),
        }
        if key not in names:
            return a.name, a.value, a.detail
        value = values[key]() if key in values else num(p.get("n", a.value))
        return names[key], value, details.get(key, "")

    def warning(w: Any) -> str:
        """A warning in words of the page's language."""
        p: dict[str, str] = w.params
        texts = {
            "discount_not_applied": _(
                "A %(pct)s %% discount was asked, but no tariff of this "
                "option has a discount policy: not applied."
            ),
            "discount_needs_approval": _(
                "%(pct)s %% off %(tariff)s (monthly spend %(spend)s) needs %(approval)s approval."
            ),
            "peak_at_line_count": _(
                "The peak of %(peak)s calls equals today's line count: "
                "demand may have been blocked, and the bill would not show "
                "it."
            ),
            "contract_beyond_horizon": _(
                "%(tariff)s: a %(term)s-month contract is longer than "
                "the %(horizon)s-month horizon."
            ),
            "lease_beyond_horizon": _(
                "Lease payments run %(term)s months, past the horizon: the rest is not counted."
            ),
            "calls_without_rate": _(
                "%(tariff)s: %(calls)s calls a month (%(kinds)s) match no rate and are priced at 0."
            ),
            "minimum_commitment": _(
                "%(tariff)s: the minimum monthly commitment is above the "
                "priced usage and charges (shortfall %(shortfall)s a "
                "month)."
            ),
        }
        approvals = {
            "manager": _("a manager's"),
            "director": _("a director's"),
            "special": _("a special"),
        }
        if w.code == "channels_below_peak":
            if "lines" in p:
                return _("%(lines)s lines today, but %(peak)s calls were seen at once.") % p
            return escape(
                _("%(tariff)s: %(channels)s channels, but %(peak)s calls were seen at once.")
            ) % {**p, "tariff": keep(p.get("tariff", ""))}
        if w.code not in texts or not p:
            return str(w.message)
        values = dict(p)
        if "spend" in values:
            values["spend"] = fmt["money"](Decimal(values["spend"]), values.get("currency", ""))
        if "shortfall" in values:
            values["shortfall"] = fmt["money"](
                Decimal(values["shortfall"]), values.get("currency", "")
            )
        if "approval" in values:
            values["approval"] = approvals.get(values["approval"], values["approval"])
        for data in ("tariff", "kinds"):
            if data in values:
                values[data] = keep(values[data])
        return escape(texts[w.code]) % values

    def line_name(name: str) -> str:
        """An engine-made line name translated; a tariff's own item names stay as written
        unless the catalogue has them."""
        fixed = {
            "calls": _("calls"),
            "calls as billed": _("calls as billed"),
            "number porting": _("number porting"),
            "training": _("training"),
            "early termination of today's contract": _("early termination of today's contract"),
            "Upkeep of the current PBX": _("Upkeep of the current PBX"),
            "Forced upgrade of the current PBX": _("Forced upgrade of the current PBX"),
            "IT labour": _("IT labour"),
            "power": _("power"),
            "bandwidth for calls": _("bandwidth for calls"),
            "minimum monthly commitment (shortfall)": _("minimum monthly commitment (shortfall)"),
        }
        if name in fixed:
            return fixed[name]
        for prefix, template in (
            ("maintenance: ", _("maintenance: %(item)s")),
            ("parallel running: ", _("parallel running: %(item)s")),
        ):
            if name.startswith(prefix):
                return escape(template) % {"item": _item(name.removeprefix(prefix))}
        leased = _LEASED.match(name)
        if leased:
            return escape(_("%(item)s (lease)")) % {"item": _item(leased.group("item"))}
        return _(name) if name else name  # a tariff's item that Telroi has words for

    def _item(name: str) -> str:
        """An item's name inside a phrase: translated if Telroi made it, else data."""
        translated = line_name(name)
        return keep(name) if translated == name else translated

    def source_text(source: str) -> str:
        """``rep``, ``bill`` or ``tariff <id> v<n>`` in words."""
        if source == "rep":
            return _("the rep")
        if source == "bill":
            return _("the bill")
        match = re.match(r"^tariff (?P<id>\S+) v(?P<version>\d+)$", source)
        if match:
            return escape(_("tariff %(id)s, version %(version)s")) % {
                "id": keep(match.group("id")),
                "version": match.group("version"),
            }
        return source

    def note_text(note: str) -> str:
        notes = {
            "channels are sized from talk time on a carrier bill (no ringing): a lower bound": _(
                "Channels are sized from talk time on a carrier bill (no ringing): a lower bound."
            ),
            "a pre-tax cash view as the tariffs state their prices, without depreciation or "
            "residual values": _(
                "A pre-tax cash view as the tariffs state their prices, without depreciation "
                "or residual values."
            ),
        }
        return notes.get(note, note)

    reasons = [
        (r"no bill file given", _("no bill file given")),
        (
            r"an XLSX workbook cannot be read as (?P<x>.+)",
            _("an XLSX workbook cannot be read as %(x)s"),
        ),
        (
            r"cannot recognise the format or its columns: give a column mapping or --format",
            _("Telroi cannot recognise the format or its columns: map the columns"),
        ),
        (
            r"cannot recognise the columns \(start time, duration, number\): give a column "
            r"mapping or --format",
            _("the columns (start time, duration, number) are not recognised: map the columns"),
        ),
        (r"no CUCM header row", _("no CUCM header row")),
        (
            r"(?P<x>\d+) columns: FreeSWITCH CSV has 15 or 18",
            _("%(x)s columns, but a FreeSWITCH CSV has 15 or 18"),
        ),
        (r"the workbook has no rows", _("the workbook has no rows")),
        (r"no sheet named (?P<x>.+)", _("no sheet named %(x)s")),
        (r"the file is empty", _("the file is empty")),
        (
            r"an old Excel \.xls workbook: save it as \.xlsx or CSV",
            _("an old Excel .xls workbook: save it as .xlsx or CSV"),
        ),
        (r"an XLSX workbook, not a text file", _("an XLSX workbook, not a text file")),
        (
            r"binary content, not a text or XLSX bill",
            _("binary content, not a text or XLSX bill"),
        ),
        (
            r"invalid UTF-8 after a UTF-8 byte-order mark",
            _("invalid UTF-8 after a UTF-8 byte-order mark"),
        ),
        (r"not valid (?P<x>\S+) text", _("not valid %(x)s text")),
        (
            r"a damaged or unsupported XLSX workbook",
            _("a damaged or unsupported XLSX workbook"),
        ),
        (r"a damaged ZIP/XLSX file", _("a damaged ZIP/XLSX file")),
        (
            r"the XLSX workbook unpacks to more than 512 MB",
            _("the XLSX workbook unpacks to more than 512 MB"),
        ),
        (
            r"the XLSX workbook is compressed suspiciously well \(zip bomb\?\)",
            _("the XLSX workbook is compressed suspiciously well (zip bomb?)"),
        ),
        (
            r"a ZIP file that is not an XLSX workbook",
            _("a ZIP file that is not an XLSX workbook"),
        ),
        (r"no such column for (?P<x>.+)", _("no such column for %(x)s")),
        (
            r"the mapping needs a start \(or date\), a duration and a number column",
            _("the mapping needs a start (or date), a duration and a number column"),
        ),
        (r"cannot be read as delimited text", _("cannot be read as delimited text")),
        (
            r"the CUCM header lacks a needed column",
            _("the CUCM header lacks a needed column"),
        ),
        (r"no usable call \((?P<x>.+)\)", _("no usable call (%(x)s)")),
        (r"no usable call", _("no usable call")),
        (r"unknown time zone (?P<x>.+)", _("unknown time zone %(x)s")),
        (
            re.escape("the analysis failed unexpectedly; the error has been logged"),
            _("the analysis failed unexpectedly; the error has been logged"),
        ),
    ]
    skip_reasons = {
        "unparseable date": _("unparseable date"),
        "unparseable duration": _("unparseable duration"),
        "negative duration": _("negative duration"),
        "missing fields": _("missing fields"),
        "same call in another file": _("same call in another file"),
        "another leg of a counted call": _("another leg of a counted call"),
        "carrier bill row in the period of a PBX export": _(
            "carrier bill row in the period of a PBX export"
        ),
    }

    def skip_reason(reason: str) -> str:
        """A reason rows were skipped, translated."""
        return skip_reasons.get(reason, reason)

    def translate_reason(reason: str) -> str:
        for pattern, template in reasons:
            found = re.fullmatch(pattern, reason)
            if found:
                values = {k: skip_reasons.get(v, v) for k, v in found.groupdict().items()}
                return template % values if values else template
        return reason

    def bill_error(message: str) -> Markup:
        """``file, line N, column C: reason`` in words of the page's language (the names
        of the file and column are data)."""
        match = _LOCATED.match(message)
        if not match:
            return escape(translate_reason(message))
        parts = match.groupdict()
        where = keep(parts["file"])
        if parts.get("line"):
            where = escape(_("%(where)s, line %(line)s")) % {
                "where": where,
                "line": parts["line"],
            }
        if parts.get("column"):
            where = escape(_("%(where)s, column %(column)s")) % {
                "where": where,
                "column": keep(parts["column"]),
            }
        return Markup("{}: {}").format(where, translate_reason(parts["reason"]))

    return {
        "assumption": assumption,
        "warning": warning,
        "line_name": line_name,
        "source_text": source_text,
        "note_text": note_text,
        "bill_error": bill_error,
        "skip_reason": skip_reason,
        "option_name": lambda name: option_name(name, locale),
        "name_mark": name_mark,
    }
