"""`traceiq pull` / `traceiq push`: tests as code.

    traceiq pull --server URL --token T --project web-shop tests/traceiq
    traceiq push --server URL --token T --project web-shop tests/traceiq --dry-run
    traceiq push ... tests/traceiq --prune

`pull` writes the project's folders, tests and environments as YAML files into DIR (one file
per test, in its folder's directory) and removes the .yaml files in DIR it did not write, so DIR
mirrors the project. `push` sends every .yaml file of DIR; the server answers with what it
creates, changes and deletes (deleting only with --prune) and applies it all or nothing
(--dry-run: only show). pull -> push -> pull gives no diff.
Exit codes: 0 done, 1 server failure / unreachable, 2 usage, auth or invalid files.
"""

from __future__ import annotations

import argparse
from pathlib import Path, PurePosixPath
from typing import Any

from traceiq_app.cli.remote import (
    EXIT_OK,
    CliError,
    add_server_arguments,
    connection,
    fail,
    project_path,
    request,
)


def add_parsers(subparsers: Any) -> None:
    pull = subparsers.add_parser("pull", help="write a project's tests as YAML files into DIR")
    add_server_arguments(pull)
    pull.add_argument("dir", metavar="DIR")
    pull.set_defaults(func=cmd_pull)
    push = subparsers.add_parser("push", help="send DIR's YAML files to the project (tests as code)")
    add_server_arguments(push)
    push.add_argument("dir", metavar="DIR")
    push.add_argument("--dry-run", action="store_true", help="only show what would change")
    push.add_argument("--prune", action="store_true", help="delete what DIR no longer holds")
    push.set_defaults(func=cmd_push)


def _yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def cmd_pull(args: argparse.Namespace) -> int:
    try:
        server, token = connection(args)
        root = Path(args.dir)
        if root.exists() and not root.is_dir():
            raise CliError(f"DIR: '{root}' is not a folder")
        body = request("GET", server, token, project_path(args, "tree"))
        files: dict[str, str] = body.get("files") or {}
        for name in files:
            parts = PurePosixPath(name).parts
            if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
                raise CliError(f"the server sent an unsafe path: {name!r}", 1)
    except CliError as exc:
        return fail(exc)
    root.mkdir(parents=True, exist_ok=True)
    written = removed = 0
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
            written += 1
    wanted = {root / name for name in files}
    for path in _yaml_files(root):
        if path not in wanted:
            path.unlink()
            removed += 1
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    print(f"pulled {len(files)} file(s) into {root}: {written} written, {removed} removed, "
          f"{len(files) - written} unchanged")
    return EXIT_OK


def _print_plan(body: dict[str, Any], dry_run: bool) -> None:
    for change in body.get("changes", []):
        mark = {"create": "+", "update": "~", "delete": "-"}.get(change["op"], "?")
        details = f" ({'; '.join(change['details'])})" if change.get("details") else ""
        print(f"{mark} {change['op']} {change['kind']} {change['path']}{details}")
    for change in body.get("kept", []):
        print(f"  keep {change['kind']} {change['path']} (not in the folder; --prune deletes it)")
    for warning in body.get("warnings", []):
        print(f"warning: {warning}")
    summary = body.get("summary", {})
    counts = f"{summary.get('create', 0)} to create, {summary.get('update', 0)} to change, " \
             f"{summary.get('delete', 0)} to delete"
    if not body.get("changes"):
        print("no changes: the project already matches the folder")
    elif dry_run:
        print(f"dry run: {counts}; nothing changed")
    else:
        print(f"applied: {counts.replace(' to ', ' ')}")


def cmd_push(args: argparse.Namespace) -> int:
    try:
        server, token = connection(args)
        root = Path(args.dir)
        if not root.is_dir():
            raise CliError(f"DIR: '{root}' is not a folder")
        files = {}
        for path in _yaml_files(root):
            try:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise CliError(f"{path}: not UTF-8 text") from None
        body = request("POST", server, token, project_path(args, "tree"),
                       json={"files": files, "prune": bool(args.prune), "dry_run": bool(args.dry_run)})
    except CliError as exc:
        return fail(exc)
    _print_plan(body, args.dry_run)
    return EXIT_OK
