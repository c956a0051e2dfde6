"""`traceiq results upload`: send another runner's report (JUnit XML or Playwright JSON) with
its attachments to a TraceIQ server, where it becomes a run with trigger `import`.

    traceiq results upload --server https://tiq.example --token tiq_... --project web-shop \\
        playwright-report.json --attachments test-results

Without --attachments, the files a Playwright JSON report names that exist on this machine are
sent (the usual case in CI: the report holds absolute paths into test-results/).
Exit codes: 0 uploaded, 1 server failure / unreachable, 2 usage, auth or invalid report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mimetypes
from pathlib import Path
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


def add_parser(subparsers: Any) -> None:
    results = subparsers.add_parser("results", help="results produced by other runners")
    sub = results.add_subparsers(dest="results_command", required=True)
    upload = sub.add_parser("upload", help="upload a JUnit XML or Playwright JSON report as a run")
    add_server_arguments(upload)
    upload.add_argument("--format", choices=["junit", "playwright-json"], default=None,
                        help="report format (default: detected from the file)")
    upload.add_argument("--attachments", default=None, metavar="DIR",
                        help="folder of traces, screenshots and videos the report refers to")
    upload.add_argument("--branch", default=None)
    upload.add_argument("--commit", default=None)
    upload.add_argument("file", metavar="FILE", help="the report file")
    upload.set_defaults(func=cmd_upload)


def _referenced_files(report: Path) -> dict[str, Path]:
    """Files a Playwright JSON report names that exist here (name sent = their path)."""
    try:
        doc = json.loads(report.read_text(encoding="utf-8-sig"))
    except (ValueError, OSError):
        return {}
    found: dict[str, Path] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for item in node.get("attachments") or [] if isinstance(node.get("attachments"), list) else []:
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    path = Path(item["path"])
                    path = path if path.is_absolute() else report.parent / path
                    if path.is_file():
                        found[item["path"].lstrip("/")] = path
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return found


def _attachments(args: argparse.Namespace, report: Path) -> dict[str, Path]:
    if args.attachments is None:
        return _referenced_files(report) if args.format != "junit" else {}
    folder = Path(args.attachments)
    if not folder.is_dir():
        raise CliError(f"--attachments: '{folder}' is not a folder")
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def cmd_upload(args: argparse.Namespace) -> int:
    try:
        server, token = connection(args)
        report = Path(args.file)
        if not report.is_file():
            raise CliError(f"FILE: '{report}' does not exist or is not a file")
        files = _attachments(args, report)
        data = {k: v for k, v in (("format", args.format), ("branch", args.branch), ("commit", args.commit)) if v}
        with contextlib.ExitStack() as stack:
            parts: list[tuple[str, tuple[str, Any, str]]] = [
                ("file", (report.name, stack.enter_context(report.open("rb")), "application/octet-stream"))]
            for name, path in files.items():
                ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                parts.append(("attachments", (name, stack.enter_context(path.open("rb")), ctype)))
            body = request("POST", server, token, project_path(args, "results"), files=parts, data=data)
    except CliError as exc:
        return fail(exc)
    totals = body.get("totals", {})
    print(f"uploaded {body.get('format')} report: {totals.get('total', 0)} tests - {totals.get('passed', 0)} passed, "
          f"{totals.get('failed', 0)} failed, {totals.get('flaky', 0)} flaky, {totals.get('skipped', 0)} skipped; "
          f"{body.get('artifacts', 0)} attachment(s) stored")
    for warning in body.get("warnings", []):
        print(f"warning: {warning}")
    print(f"run: {body.get('url')}")
    return EXIT_OK
