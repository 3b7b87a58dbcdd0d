"""``telroi tariffs …``: the tariff files of ``tariffs/`` (``check``; ``import`` beside it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import UsageError
from app.core.tariffs import TariffError, check_tariff_dir, tariff_paths


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``tariffs`` group; each sub-command is added to ``commands``."""
    group = sub.add_parser("tariffs", help="tariff files: validate, import")
    commands = group.add_subparsers(dest="tariffs_command", required=True)
    check = commands.add_parser("check", help="validate every tariff file of DIR")
    check.add_argument("dir", nargs="?", default="tariffs", metavar="DIR")
    check.set_defaults(func=check_files)
    imp = commands.add_parser(
        "import", help="bring the files of DIR into the database (a new version when changed)"
    )
    imp.add_argument("dir", metavar="DIR")
    imp.set_defaults(func=import_files)


def check_files(args: argparse.Namespace) -> int:
    """Validate ``DIR/*.yaml``: exit 0 when all are valid, else 2 naming file, line, field."""
    directory = Path(args.dir)
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory")
    if not tariff_paths(directory):
        raise UsageError(f"{directory}: no tariff files (*.yaml, *.yml)")
    loaded, problems = check_tariff_dir(directory)
    if problems:
        raise UsageError("\n".join(str(problem) for problem in problems))
    for file in loaded:
        tariff = file.tariff
        print(f"{file.path}: ok — {tariff.name} ({tariff.kind}, {tariff.currency})")
    print(f"{len(loaded)} tariff file(s) valid")
    return 0


def import_files(args: argparse.Namespace) -> int:
    """Import ``DIR/*.yaml``: new tariffs and a new version of each changed one; nothing is
    written when any file is invalid (exit 2 naming file, line and field)."""
    from datetime import UTC, datetime

    from app.db.engine import make_engine, make_sessionmaker
    from app.db.migrate import upgrade
    from app.services import tariffs
    from app.settings import get_settings

    directory = Path(args.dir)
    if not directory.is_dir() or not tariff_paths(directory):
        raise UsageError(f"{directory}: no tariff files (*.yaml, *.yml)")
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as db:
        try:
            results = tariffs.import_dir(db, directory, now=datetime.now(UTC))
        except TariffError as exc:
            db.rollback()
            raise UsageError(str(exc)) from None
        db.commit()
    for result in results:
        print(f"{result.tariff_id}: {result.action} (version {result.version})")
    return 0
