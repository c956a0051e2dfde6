"""`traceiq import --server URL --token T --project P [--suite S] PATH...`: upload test files
(Chrome Recorder .json, native .json/.yaml/.yml, Playwright codegen .py; folders are searched
recursively) to `POST /api/v1/projects/{project}/import` in one all-or-nothing request.

Exit codes: 0 imported, 2 usage/auth/validation error (nothing was imported).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from traceiq_app.cli.client import ApiError, Client, add_server_options, server_from, token_from

SUFFIXES = (".json", ".yaml", ".yml", ".py")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("import", help="import test files into a project on a TraceIQ server")
    add_server_options(parser)
    parser.add_argument("--project", required=True, help="project slug or id")
    parser.add_argument("--suite", default=None, help="suite name or id (a new name is created)")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    parser.set_defaults(func=cmd_import)


def collect(paths: list[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file, name to report it by: relative to the folder given, or the file's own name)."""
    files: list[tuple[Path, str]] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                problems.append(f"{raw}: no .json, .yaml, .yml or .py files in this folder")
            files.extend((f, f.relative_to(path).as_posix()) for f in found)
        elif path.is_file():
            files.append((path, path.name))
        else:
            problems.append(f"{raw}: no such file or folder")
    return list(dict.fromkeys(files)), problems


def cmd_import(args: argparse.Namespace) -> int:
    server, token = server_from(args), token_from(args)
    if not server or not token:
        print("error: --server and --token (or TRACEIQ_SERVER / TRACEIQ_TOKEN) are required", file=sys.stderr)
        return 2
    files, problems = collect(args.paths)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        client = Client(server, token, timeout=120)
    except ApiError as exc:
        print("\n".join(exc.lines()), file=sys.stderr)
        return 2
    try:
        upload = [("files", (name, f.read_bytes(), "application/octet-stream")) for f, name in files]
        data = {"suite": args.suite} if args.suite else {}
        result = client.json("POST", f"/api/v1/projects/{args.project}/import", files=upload, data=data)
    except ApiError as exc:
        if exc.code == "import_rejected" and isinstance(exc.details, list):
            print(f"error: {exc.message}", file=sys.stderr)
            for item in exc.details:
                mark = "FAILED" if item.get("status") == "failed" else "ok (not saved)"
                print(f"  {item.get('file')}: {mark}", file=sys.stderr)
                for problem in item.get("problems") or []:
                    print(f"    {problem}", file=sys.stderr)
        else:
            print("\n".join(exc.lines()), file=sys.stderr)
        return 2
    finally:
        client.close()
    for item in result["files"]:
        print(f"imported {item['file']}: '{item['name']}' ({item['steps']} steps, {item['format']}) -> test {item['test_id']}")
    return 0
