"""``telroi users create``: create a user, reading the password from standard input."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from app.commands import UsageError
from app.db.engine import make_engine, make_sessionmaker
from app.db.migrate import upgrade
from app.db.models import Role
from app.services import accounts
from app.settings import get_settings


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="manage users").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create a user; the password is read from stdin")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.set_defaults(func=create_user)


def create_user(args: argparse.Namespace) -> int:
    password = (
        getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
    ).rstrip("\r\n")
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as db:
        try:
            user = accounts.create_user(
                db, email=args.email, password=password, role=args.role, now=datetime.now(UTC)
            )
        except accounts.AccountError as exc:
            where = "password (standard input)" if exc.field == "password" else f"--{exc.field}"
            raise UsageError(f"{where}: {exc}") from None
        db.commit()
        print(f"created user {user.id} <{user.email}> with role {user.role}")
    return 0
