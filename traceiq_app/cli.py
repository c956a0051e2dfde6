"""The `traceiq` console command.

Subcommands import what they need lazily: `traceiq exec` must start fast and must not need a
database, Redis or the web app.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def _cmd_worker(args: argparse.Namespace) -> int:
    from traceiq_app.worker import run_worker

    return run_worker(burst=args.burst, name_suffix=args.name_suffix)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from traceiq_app.migrations import upgrade_to_head
    from traceiq_app.settings import get_settings

    url = args.database_url or get_settings().database_url_effective
    upgrade_to_head(url)
    print(f"database is up to date ({url.split('@')[-1]})")
    return 0


def _cmd_supervise(args: argparse.Namespace) -> int:
    from traceiq_app.supervisor import main as supervisor_main

    return supervisor_main([])


def _cmd_create_user(args: argparse.Namespace) -> int:
    from traceiq_app.services.accounts import AccountError, create_user_with_org

    try:
        user, org, role = create_user_with_org(args.email, args.password, args.org)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created user {user.email} ({role} of organization '{org.name}')")
    return 0


def _cmd_create_token(args: argparse.Namespace) -> int:
    from traceiq_app.services.accounts import AccountError
    from traceiq_app.services.tokens import create_token_for_email

    try:
        token = create_token_for_email(args.email, args.name, scopes=args.scope or ["read", "run"],
                                       project_slug=args.project, expires_days=args.expires_days)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Shown once: only a hash is stored.
    print(token)
    return 0


def _add_exec(subparsers: argparse._SubParsersAction) -> None:
    try:
        from traceiq_app import cli_exec
    except ImportError:  # pragma: no cover - only while the engine is being built
        return
    cli_exec.add_parser(subparsers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="traceiq", description="TraceIQ: self-hosted browser testing")
    sub = parser.add_subparsers(dest="command", required=True)

    worker = sub.add_parser("worker", help="run an RQ worker (for worker machines)")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--name-suffix", default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=_cmd_worker)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--database-url", default=None, help="defaults to DATABASE_URL / ./data SQLite")
    migrate.set_defaults(func=_cmd_migrate)

    supervise = sub.add_parser("supervise", help="run the embedded Redis + workers in the foreground")
    supervise.set_defaults(func=_cmd_supervise)

    admin = sub.add_parser("admin", help="administration")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create_user = admin_sub.add_parser("create-user", help="create a user (first user of an org owns it)")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--org", default=None, help="organization name (default: from the email domain)")
    create_user.set_defaults(func=_cmd_create_user)
    create_token = admin_sub.add_parser("create-token", help="create an API token; printed once")
    create_token.add_argument("--email", required=True)
    create_token.add_argument("--name", required=True)
    create_token.add_argument("--scope", action="append", choices=["read", "run", "write", "admin"])
    create_token.add_argument("--project", default=None, help="limit the token to one project (slug)")
    create_token.add_argument("--expires-days", type=int, default=None)
    create_token.set_defaults(func=_cmd_create_token)

    _add_exec(sub)
    from traceiq_app import cli_run

    cli_run.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
