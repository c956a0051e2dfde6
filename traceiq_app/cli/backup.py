"""`traceiq backup OUT.tar.zst` and `traceiq restore IN`: a consistent snapshot of the database,
the artifacts and the secret key, and its restore into an empty installation (see
traceiq_app/services/platform/backup.py and docs/operations.md). Both work while the app runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _say(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def _cmd_backup(args: argparse.Namespace) -> int:
    from traceiq_app.services.platform.backup import BackupError, backup

    try:
        summary = backup(Path(args.out), progress=_say)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"backup written to {summary.path} ({summary.bytes / 1e6:.1f} MB): {summary.database} database at "
          f"schema {summary.schema_revision}, {summary.artifact_files} artifact file(s), secret key")
    for note in summary.notes:
        print(f"note: {note}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from traceiq_app.services.platform.backup import BackupError, restore

    try:
        summary = restore(Path(args.archive), progress=_say)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"restored {summary.path.name}: {summary.database} database (migrated to the current schema), "
          f"{summary.artifact_files} artifact file(s), secret key")
    for note in summary.notes:
        print(f"note: {note}")
    return 0


def add_parsers(sub: Any) -> None:
    backup = sub.add_parser("backup", help="back up the database, artifacts and secret key to a .tar.zst file")
    backup.add_argument("out", help="the backup file to write, e.g. traceiq-2026-11-26.tar.zst")
    backup.set_defaults(func=_cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup into an empty database and data folder")
    restore.add_argument("archive", help="a file written by `traceiq backup`")
    restore.set_defaults(func=_cmd_restore)
