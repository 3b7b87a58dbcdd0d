"""The ``telroi`` command line (CONTRACT.md, "Command line").

Exit status: 0 on success, 2 on bad input with a message on standard error that names the
file and the line (and column or field) at fault.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from app.commands import UsageError

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command and its handler in ``func``."""
    parser = argparse.ArgumentParser(prog="telroi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    # Each add_* function registers one command group; see the modules they come from.
    for add in _command_groups():
        add(sub)
    return parser


def _command_groups() -> list[
    Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]
]:
    from app.commands import analyze, compare, serve, tariffs, users

    return [serve.add, analyze.add, tariffs.add, users.add, compare.add]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``telroi`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.func
    try:
        return handler(args)
    except UsageError as exc:
        print(f"telroi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with ``main``'s status."""
    sys.exit(main())
