"""``telroi analyze`` (bills → usage profile) and ``telroi erlang-b`` (CONTRACT.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import ValidationError

from app.commands import UsageError
from app.core.bills import BillError, BillFormat, ColumnMapping
from app.core.erlang import channels_for, erlang_b
from app.core.numberplan import NumberPlanError
from app.core.profile import AnalysisOptions, analyze_files
from app.core.usage import UsageProfile


def add(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``analyze`` and ``erlang-b``."""
    analyze = subparsers.add_parser(
        "analyze", help="read bill files into one usage profile", description=__doc__
    )
    analyze.add_argument("files", nargs="+", metavar="FILE", help="bill files (CSV or XLSX)")
    analyze.add_argument("--country", required=True, help="the client's country, e.g. CN")
    analyze.add_argument("--area-code", default="", help="local area codes: 212,646,332")
    analyze.add_argument("--outside-prefix", default="", help="PBX outside-line prefix (9)")
    analyze.add_argument("--extensions", default=None, help="extension ranges: 8000-8099,200")
    analyze.add_argument("--timezone", default=None, help="IANA zone (default: area code's)")
    analyze.add_argument(
        "--format", default="auto", choices=[f.value for f in BillFormat], help="bill format"
    )
    analyze.add_argument("--mapping", default=None, help="JSON file of a column mapping")
    analyze.add_argument("--gos", type=float, default=0.01, help="grade of service (0.01)")
    analyze.add_argument("--current-lines", type=int, default=None, help="lines today")
    analyze.add_argument("--json", action="store_true", help="print the profile as JSON")
    analyze.set_defaults(func=run_analyze)

    erlang = subparsers.add_parser("erlang-b", help="channels for a traffic at a grade of service")
    erlang.add_argument("--traffic", type=float, required=True, help="offered traffic (Erlangs)")
    erlang.add_argument("--gos", type=float, default=0.01, help="grade of service (0.01)")
    erlang.add_argument("--json", action="store_true", help="print the result as JSON")
    erlang.set_defaults(func=run_erlang_b)


def run_analyze(args: argparse.Namespace) -> int:
    """Analyse the files and print the profile (a summary, or JSON with ``--json``)."""
    files = []
    for name in args.files:
        try:
            files.append((name, Path(name).read_bytes()))
        except OSError as exc:
            raise UsageError(f"{name}: cannot read the file ({exc.strerror})") from None
    try:
        mapping = _mapping(args.mapping) if args.mapping else None
        options = AnalysisOptions(
            country=args.country,
            area_codes=[code for code in args.area_code.split(",") if code.strip()],
            outside_prefix=args.outside_prefix,
            extensions=args.extensions,
            timezone=args.timezone,
            format=BillFormat(args.format),
            column_mapping=mapping,
            gos=args.gos,
            current_lines=args.current_lines,
        )
        profile = analyze_files(files, options)
    except (BillError, NumberPlanError) as exc:
        raise UsageError(str(exc)) from None
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise UsageError(f"invalid option: {fields}") from None
    print(profile.model_dump_json(indent=1) if args.json else summary(profile))
    return 0


def _mapping(path: str) -> ColumnMapping:
    try:
        return ColumnMapping.model_validate_json(Path(path).read_bytes())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the mapping ({exc.strerror})") from None
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise UsageError(f"{path}: invalid column mapping ({fields})") from None


def summary(profile: UsageProfile) -> str:
    """A plain-text summary of a profile for the terminal."""
    p = profile
    lines = [
        f"period      {p.period.start} … {p.period.end} ({p.period.days:g} days)",
        f"rows        read {p.rows.read}, used {p.rows.used}, skipped {p.rows.skipped}"
        + "".join(f"\n              {reason}: {n}" for reason, n in p.rows.skipped_reasons.items()),
        f"calls       {p.totals.calls} ({p.totals.answered_calls} answered,"
        f" {p.totals.billable_seconds} billable s)",
        f"busy hour   {p.busy_hour_erlangs:.3f} E, peak {p.peak_concurrent_calls} concurrent,"
        f" {p.recommended_channels.channels} channels at GoS {p.recommended_channels.gos:g}",
        f"extensions  {_count(p.distinct_extensions)}, DIDs {_count(p.distinct_dids)}",
        "",
        f"{'direction':<10} {'category':<14} {'country':<7} {'calls':>8} {'answered':>8}"
        f" {'billable s':>11} {'cost':>12}",
    ]
    for c in p.categories:
        cost = "" if c.billed_cost is None else f"{c.billed_cost:.2f}"
        lines.append(
            f"{c.direction.value:<10} {c.category.value:<14} {c.country or '-':<7} {c.calls:>8}"
            f" {c.answered_calls:>8} {c.billable_seconds:>11} {cost:>12}"
        )
    for s in p.signals:
        lines.append(f"signal      {s.code}: {s.figure:.3g} (threshold {s.threshold:g}) {s.detail}")
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def run_erlang_b(args: argparse.Namespace) -> int:
    """Print the channels needed for ``--traffic`` at ``--gos`` and their blocking."""
    try:
        channels = channels_for(args.traffic, args.gos)
        blocking = erlang_b(channels, args.traffic)
    except ValueError as exc:
        raise UsageError(f"--traffic/--gos: {exc}") from None
    if args.json:
        result = {
            "traffic": args.traffic,
            "gos": args.gos,
            "channels": channels,
            "blocking": blocking,
        }
        print(json.dumps(result))
    else:
        print(
            f"{channels} channels for {args.traffic:g} E at GoS {args.gos:g} (B = {blocking:.6f})"
        )
    return 0
