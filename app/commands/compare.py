"""``telroi compare PROFILE.json SCENARIO.yaml``: the status quo against each alternative.

PROFILE.json is a usage profile (``telroi analyze --json``); SCENARIO.yaml the scenario
(``app.core.scenarios.Scenario``: YAML or JSON); the tariffs it names are the files of
``--tariffs DIR`` (default ``tariffs/``), each known by its file name without ``.yaml``.
``--json`` prints CONTRACT.md's comparison (with components, metrics, sensitivity,
assumptions and warnings); without it, a summary table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from app.commands import UsageError
from app.core.scenarios import Comparison, ScenarioError, compare, field_name, parse_scenario
from app.core.tariffs import check_tariff_dir
from app.core.usage import UsageProfile


def add(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``compare``."""
    parser = subparsers.add_parser(
        "compare", help="compare the status quo with each alternative", description=__doc__
    )
    parser.add_argument("profile", metavar="PROFILE.json", help="a usage profile (analyze --json)")
    parser.add_argument("scenario", metavar="SCENARIO.yaml", help="the scenario (YAML or JSON)")
    parser.add_argument("--tariffs", default="tariffs", metavar="DIR", help="tariff files")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(func=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Load the profile, scenario and tariffs, compare, print."""
    profile = _profile(args.profile)
    scenario_text = _read(args.scenario)
    try:
        scenario, place = parse_scenario(scenario_text, args.scenario)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    directory = Path(args.tariffs)
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory of tariff files")
    loaded, problems = check_tariff_dir(directory)
    if problems:
        raise UsageError("\n".join(str(problem) for problem in problems))
    tariffs = {file.path.stem: file.tariff for file in loaded}
    try:
        comparison = compare(scenario, profile, tariffs)
    except ScenarioError as exc:
        where = place(exc.loc) if exc.loc and exc.loc[0] != "profile" else args.profile
        raise UsageError(f"{where}: {exc}") from None
    print(comparison.model_dump_json(indent=1) if args.json else summary(comparison))
    return 0


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None


def _profile(path: str) -> UsageProfile:
    try:
        return UsageProfile.model_validate_json(_read(path))
    except ValidationError as exc:
        error = exc.errors()[0]
        field = field_name(tuple(error["loc"])) or "(document)"
        raise UsageError(f"{path}: {field}: {error['msg']}") from None


def summary(comparison: Comparison) -> str:
    """A plain-text table: each option's TCO, and each alternative's metrics."""
    c = comparison
    lines = [
        f"{c.horizon_months} months, {c.currency}, discount rate {c.discount_rate_annual:g}",
        "",
        f"{'option':<36} {'TCO':>14} {'savings':>14} {'payback':>9} {'NPV':>14} {'IRR':>8}",
        f"{c.status_quo.name[:36]:<36} {c.status_quo.tco:>14,.2f}",
    ]
    for a in c.alternatives:
        payback = "-" if a.payback_months is None else f"{a.payback_months:.1f}"
        if a.payback_months is not None and not a.payback_holds:
            payback += "*"
        irr = "-" if a.irr_annual is None else f"{a.irr_annual:.1%}"
        lines.append(
            f"{a.name[:36]:<36} {a.tco:>14,.2f} {a.savings_total:>14,.2f} {payback:>9}"
            f" {a.npv:>14,.2f} {irr:>8}"
        )
    if any(a.payback_months is not None and not a.payback_holds for a in c.alternatives):
        lines.append("* pays back, then falls behind again before the end")
    lines += [f"warning: {w.message}" + (f" ({w.option})" if w.option else "") for w in c.warnings]
    lines += [f"note: {note}" for note in c.notes]
    return "\n".join(lines)
