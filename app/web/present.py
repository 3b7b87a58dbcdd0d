"""Translated wording of what the comparison engine reports: assumptions, warnings, line
names, sources and notes (the engine gives stable keys and figures; the words are here)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from app.web.i18n import formatters, gettext

_LEASED = re.compile(r"^(?P<item>.+) \(lease\)$")


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
            detail = _("tariff %(id)s, version %(version)s") % {
                "id": p.get("id", ""),
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
            return _("%(option)s: equipment") % {"option": p.get("option", "")}, value, ""
        if key == "termination_fee":
            return (
                _("%(option)s: early-termination fee") % {"option": p.get("option", "")},
                num(p.get("amount", "0"), 2),
                source_text(a.detail) if a.detail else "",
            )
        if key == "discount":
            return (
                _("%(option)s: discount") % {"option": p.get("option", "")},
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
            return _("%(tariff)s: %(channels)s channels, but %(peak)s calls were seen at once.") % p
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
        return texts[w.code] % values

    def line_name(name: str) -> str:
        """An engine-made line name translated; a tariff's own item names stay as written."""
        fixed = {
            "calls": _("calls"),
            "calls as billed": _("calls as billed"),
            "number porting": _("number porting"),
            "training": _("training"),
            "early termination of today's contract": _("early termination of today's contract"),
            "Upkeep of the current PBX": _("Upkeep of the current PBX"),
            "Forced upgrade of the current PBX": _("Forced upgrade of the current PBX"),
        }
        if name in fixed:
            return fixed[name]
        for prefix, template in (
            ("maintenance: ", _("maintenance: %(item)s")),
            ("parallel running: ", _("parallel running: %(item)s")),
        ):
            if name.startswith(prefix):
                return template % {"item": line_name(name.removeprefix(prefix))}
        leased = _LEASED.match(name)
        if leased:
            return _("%(item)s (lease)") % {"item": line_name(leased.group("item"))}
        return name

    def source_text(source: str) -> str:
        """``rep``, ``bill`` or ``tariff <id> v<n>`` in words."""
        if source == "rep":
            return _("the rep")
        if source == "bill":
            return _("the bill")
        match = re.match(r"^tariff (?P<id>\S+) v(?P<version>\d+)$", source)
        if match:
            return _("tariff %(id)s, version %(version)s") % match.groupdict()
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

    return {
        "assumption": assumption,
        "warning": warning,
        "line_name": line_name,
        "source_text": source_text,
        "note_text": note_text,
    }
