"""Plotly figure dicts for the usage profile and the comparison (no plotting library
needed on the server: the browser's vendored plotly.js draws them).

Each function returns ``{"data": [...], "layout": {...}}``; labels come in through
``labels`` so that every figure is drawn in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.erlang import erlang_b
from app.core.scenarios import Comparison
from app.core.usage import UsageProfile

Figure = dict[str, Any]
PALETTE = [
    "#0b5cad",
    "#d9730d",
    "#2e8540",
    "#8f3f97",
    "#b3261e",
    "#5f6b7a",
    "#00838f",
    "#9e7c0c",
    "#37474f",
    "#c2185b",
]
COMPONENT_COLORS = {
    "equipment": "#0b5cad",
    "licences": "#5c8fd6",
    "installation": "#8f3f97",
    "maintenance": "#d9730d",
    "labour": "#9e7c0c",
    "channels": "#2e8540",
    "dids": "#00838f",
    "seats": "#37474f",
    "usage": "#b3261e",
    "other": "#9aa5b1",
}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "margin": {"l": 60, "r": 20, "t": 48, "b": 48},
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def destination_mix(profile: UsageProfile, labels: Mapping[str, str]) -> Figure:
    """Billable minutes by category, outbound and inbound side by side."""
    order = [c.value for c in type(profile.categories[0].category)] if profile.categories else []
    traces: list[dict[str, Any]] = []
    for i, direction in enumerate(("outbound", "inbound")):
        minutes: dict[str, float] = {}
        for usage in profile.categories:
            if usage.direction.value == direction:
                key = usage.category.value
                minutes[key] = minutes.get(key, 0.0) + usage.billable_seconds / 60
        cats = [c for c in order if c in minutes]
        traces.append(
            {
                "type": "bar",
                "name": labels.get(direction, direction),
                "x": [labels.get(c, c) for c in cats],
                "y": [round(minutes[c], 1) for c in cats],
                "marker": {"color": PALETTE[i]},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            labels["title_mix"], barmode="group", yaxis={"title": {"text": labels["minutes"]}}
        ),
    }


def weekday_hour_heatmap(profile: UsageProfile, labels: Mapping[str, str]) -> Figure:
    """Mean trunk Erlangs by weekday (rows, Monday first) and hour of day."""
    return {
        "data": [
            {
                "type": "heatmap",
                "z": profile.weekday_hour_erlangs,
                "x": [f"{h:02d}" for h in range(24)],
                "y": [labels[f"day{d}"] for d in range(7)],
                "colorscale": [[0, "#f4f8fc"], [0.5, "#6aa3d9"], [1, "#0b3d91"]],
                "colorbar": {"title": {"text": "E"}},
            }
        ],
        "layout": _layout(
            labels["title_heatmap"],
            yaxis={"autorange": "reversed"},
            xaxis={"title": {"text": labels["hour"]}},
        ),
    }


def duration_distribution(profile: UsageProfile, labels: Mapping[str, str]) -> Figure:
    """Answered calls by duration, one-minute bins up to 30 minutes (the rest in the last)."""
    bins = [0] * 31
    for usage in profile.categories:
        for seconds, count in usage.duration_histogram.items():
            bins[min(int(seconds) // 60, 30)] += count
    x = [f"{m}–{m + 1}" for m in range(30)] + ["30+"]
    return {
        "data": [
            {
                "type": "bar",
                "x": x,
                "y": bins,
                "marker": {"color": PALETTE[0]},
                "name": labels["calls"],
            }
        ],
        "layout": _layout(
            labels["title_durations"],
            bargap=0.05,
            xaxis={"title": {"text": labels["minutes"]}},
            yaxis={"title": {"text": labels["calls"]}},
        ),
    }


def busy_hour_per_day(profile: UsageProfile, labels: Mapping[str, str]) -> Figure:
    """Each day's busiest-hour traffic, with the design traffic (the profile's busy hour)."""
    dates = [d.date for d in profile.days]
    return {
        "data": [
            {
                "type": "bar",
                "x": dates,
                "y": [round(d.busy_hour_erlangs, 3) for d in profile.days],
                "name": labels["daily_busy_hour"],
                "marker": {"color": PALETTE[0]},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": dates,
                "y": [round(profile.busy_hour_erlangs, 3)] * len(dates),
                "name": labels["design_traffic"],
                "line": {"color": PALETTE[4], "dash": "dash"},
            },
        ],
        # dates as categories: ISO labels read the same in every language
        "layout": _layout(
            labels["title_busy_days"],
            xaxis={"type": "category", "nticks": 10},
            yaxis={"title": {"text": "Erlang"}},
        ),
    }


def erlang_curve(profile: UsageProfile, labels: Mapping[str, str]) -> Figure:
    """Blocking B(n, A) against channels n at the busy-hour traffic, recommendation marked."""
    traffic = profile.busy_hour_erlangs
    recommended = profile.recommended_channels.channels
    top = max(recommended * 2, recommended + 6, 8)
    channels = list(range(1, top + 1))
    blocking = [erlang_b(n, traffic) for n in channels]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": channels,
                "y": [round(b * 100, 4) for b in blocking],
                "name": labels["blocking"],
                "line": {"color": PALETTE[0]},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "x": [recommended],
                "y": [round(erlang_b(recommended, traffic) * 100, 4)],
                "name": labels["recommended"],
                "marker": {"size": 14, "color": PALETTE[4], "symbol": "diamond"},
            },
        ],
        "layout": _layout(
            labels["title_erlang"],
            xaxis={"title": {"text": labels["channels"]}},
            yaxis={"title": {"text": labels["blocking_pct"]}, "rangemode": "tozero"},
        ),
    }


def cumulative_costs(comparison: Comparison, labels: Mapping[str, str]) -> Figure:
    """Running total of each option's costs, each payback point marked."""
    months = list(range(comparison.horizon_months + 1))
    options = [comparison.status_quo, *comparison.alternatives]
    traces: list[dict[str, Any]] = []
    for i, option in enumerate(options):
        running, total = [], 0.0
        for cost in option.monthly_costs:
            total += float(cost)
            running.append(round(total, 2))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": option.name,
                "x": months,
                "y": running,
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 3},
            }
        )
    for i, alternative in enumerate(comparison.alternatives, start=1):
        if alternative.payback_months is None:
            continue
        t = alternative.payback_months
        cum = sum(float(c) for c in alternative.monthly_costs[: int(t) + 1])
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [round(t, 2)],
                "y": [round(cum, 2)],
                "text": [labels["payback"]],
                "textposition": "top center",
                "showlegend": False,
                "marker": {"size": 12, "color": PALETTE[i % len(PALETTE)], "symbol": "star"},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            labels["title_cumulative"],
            xaxis={"title": {"text": labels["month"]}},
            yaxis={"title": {"text": comparison.currency}},
        ),
    }


def annual_by_component(comparison: Comparison, labels: Mapping[str, str]) -> Figure:
    """Each option's cost per year, stacked by component (month 0 counted in year 1)."""
    options = [comparison.status_quo, *comparison.alternatives]
    years = (comparison.horizon_months + 11) // 12
    x_years: list[str] = []
    x_options: list[str] = []
    for option in options:
        for year in range(1, years + 1):
            x_years.append(labels["year"] % {"n": year})
            x_options.append(option.name)
    traces: list[dict[str, Any]] = []
    components = sorted(
        {c for o in options for c in o.components},
        key=lambda c: list(COMPONENT_COLORS).index(str(c)),
    )
    for component in components:
        y = []
        for option in options:
            series = option.components.get(component, [])
            for year in range(1, years + 1):
                start = 0 if year == 1 else 12 * (year - 1) + 1
                y.append(round(sum(float(v) for v in series[start : 12 * year + 1]), 2))
        traces.append(
            {
                "type": "bar",
                "name": labels.get(str(component), str(component)),
                "x": [x_options, x_years],
                "y": y,
                "marker": {"color": COMPONENT_COLORS.get(str(component), "#999")},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            labels["title_annual"], barmode="stack", yaxis={"title": {"text": comparison.currency}}
        ),
    }


def monthly_savings(comparison: Comparison, labels: Mapping[str, str]) -> Figure:
    """Status-quo cost minus each alternative's, month by month."""
    today = comparison.status_quo.monthly_costs
    traces: list[dict[str, Any]] = []
    for i, alternative in enumerate(comparison.alternatives, start=1):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": alternative.name,
                "x": list(range(1, comparison.horizon_months + 1)),
                "y": [
                    round(float(a) - float(b), 2)
                    for a, b in zip(today[1:], alternative.monthly_costs[1:], strict=True)
                ],
                "line": {"color": PALETTE[i % len(PALETTE)]},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            labels["title_savings"],
            xaxis={"title": {"text": labels["month"]}},
            yaxis={"title": {"text": comparison.currency}, "zeroline": True},
        ),
    }


def tornado(comparison: Comparison, index: int, labels: Mapping[str, str]) -> Figure:
    """NPV of one alternative with each driver at −20 % and +20 %, widest swing on top."""
    alternative = comparison.alternatives[index]
    bars = list(reversed(alternative.tornado))
    names = [labels.get(f"driver_{b.driver}", b.driver) for b in bars]
    base = alternative.npv
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "−20 %",
                "y": names,
                "x": [round(b.npv_low - base, 2) for b in bars],
                "base": base,
                "marker": {"color": PALETTE[4]},
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "+20 %",
                "y": names,
                "x": [round(b.npv_high - base, 2) for b in bars],
                "base": base,
                "marker": {"color": PALETTE[2]},
            },
        ],
        "layout": _layout(
            f"{labels['title_tornado']} — {alternative.name}",
            barmode="overlay",
            xaxis={"title": {"text": f"NPV ({comparison.currency})"}},
            margin={"l": 150, "r": 20, "t": 48, "b": 48},
        ),
    }
