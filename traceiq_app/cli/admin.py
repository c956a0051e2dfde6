"""`traceiq migrate` and `traceiq admin create-user|create-token|reset-two-factor`: an administrator's commands on
the server's own database (they need DATABASE_URL / the data folder, not a running app)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _cmd_migrate(args: argparse.Namespace) -> int:
    from traceiq_app.services.platform.migrations import upgrade_to_head
    from traceiq_app.settings import get_settings

    url = args.database_url or get_settings().database_url_effective
    upgrade_to_head(url)
    print(f"database is up to date ({url.split('@')[-1]})")
    return 0


def _cmd_create_user(args: argparse.Namespace) -> int:
    from traceiq_app.services.accounts.users import AccountError, create_user_with_org

    try:
        user, org, role = create_user_with_org(args.email, args.password, args.org, verified=True)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created user {user.email} ({role} of organization '{org.name}')")
    return 0


def _cmd_create_token(args: argparse.Namespace) -> int:
    from traceiq_app.services.accounts.tokens import create_token_for_email
    from traceiq_app.services.accounts.users import AccountError

    try:
        token = create_token_for_email(args.email, args.name, scopes=args.scope or ["read", "run"],
                                       project_slug=args.project, expires_days=args.expires_days)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Shown once: only a hash is stored.
    print(token)
    return 0


def _cmd_reset_two_factor(args: argparse.Namespace) -> int:
    from traceiq_app.services.accounts.two_factor import admin_reset
    from traceiq_app.services.accounts.users import AccountError

    try:
        admin_reset(args.email)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"two-factor sign-in of {args.email.strip().lower()} is off; they sign in with their password")
    return 0


def add_parsers(sub: Any) -> None:
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--database-url", default=None, help="defaults to DATABASE_URL / ./data SQLite")
    migrate.set_defaults(func=_cmd_migrate)

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
    reset_tf = admin_sub.add_parser("reset-two-factor",
                                    help="turn off a user's two-factor sign-in (lost phone and recovery codes)")
    reset_tf.add_argument("--email", required=True)
    reset_tf.set_defaults(func=_cmd_reset_two_factor)
