"""Chart titles and axis labels in the page's language."""

from __future__ import annotations

from app.web.i18n import gettext


def chart_labels(locale: str) -> dict[str, str]:
    """Every label the figures of ``app.charts`` use, translated."""
    _ = gettext(locale)
    return {
        "title_mix": _("Destination mix (billable minutes)"),
        "title_heatmap": _("Traffic by weekday and hour (mean Erlangs)"),
        "title_durations": _("Call durations"),
        "title_busy_days": _("Busy-hour traffic per day"),
        "title_erlang": _("Erlang B: blocking against channels"),
        "title_cumulative": _("Cumulative cost"),
        "title_annual": _("Annual cost by component"),
        "title_savings": _("Monthly savings against today"),
        "title_tornado": _("Sensitivity of NPV (±20 %)"),
        "outbound": _("Outbound"),
        "inbound": _("Inbound"),
        "internal": _("Internal"),
        "minutes": _("Minutes"),
        "calls": _("Calls"),
        "hour": _("Hour of day"),
        "month": _("Month"),
        "year": _("Year %(n)s"),
        "channels": _("Channels"),
        "blocking": _("Blocking"),
        "blocking_pct": _("Blocking (%)"),
        "recommended": _("Recommended"),
        "daily_busy_hour": _("Busiest hour of the day"),
        "design_traffic": _("Design traffic"),
        "payback": _("Payback"),
        "day0": _("Mon"),
        "day1": _("Tue"),
        "day2": _("Wed"),
        "day3": _("Thu"),
        "day4": _("Fri"),
        "day5": _("Sat"),
        "day6": _("Sun"),
        **category_labels(locale),
        **component_labels(locale),
        **driver_labels(locale),
    }


def category_labels(locale: str) -> dict[str, str]:
    _ = gettext(locale)
    return {
        "local": _("Local"),
        "national": _("National"),
        "mobile": _("Mobile"),
        "toll_free": _("Toll-free"),
        "shared_cost": _("Shared-cost"),
        "premium": _("Premium"),
        "international": _("International"),
        "emergency": _("Emergency"),
        "special": _("Special services"),
        "unknown": _("Unknown"),
    }


def component_labels(locale: str) -> dict[str, str]:
    _ = gettext(locale)
    return {
        "equipment": _("Equipment"),
        "licences": _("Licences"),
        "installation": _("Installation"),
        "maintenance": _("Maintenance"),
        "labour": _("IT labour"),
        "channels": _("Channels"),
        "dids": _("Numbers (DIDs)"),
        "seats": _("Seats"),
        "usage": _("Call charges"),
        "other": _("Other"),
    }


def driver_labels(locale: str) -> dict[str, str]:
    _ = gettext(locale)
    return {
        "driver_usage": _("Usage"),
        "driver_seats": _("Seats"),
        "driver_per_minute": _("Per-minute rates"),
        "driver_seat_price": _("Seat price"),
        "driver_equipment_price": _("Equipment price"),
        "driver_maintenance": _("Maintenance %"),
        "driver_discount_rate": _("Discount rate"),
    }
