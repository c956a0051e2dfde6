"""The `traceiq` console command: one module per sub-command family.

- `exec`: run test files locally, no server (traceiq_app.cli.exec)
- `run`: start a run on the workers (traceiq_app.cli.run; over HTTP with --server: cli.remote_run)
- `import`: upload test files to a server (traceiq_app.cli.imports)
- `migrate`, `admin ...`: the administrator's commands (traceiq_app.cli.admin)
- `worker`, `supervise`: long-running processes (traceiq_app.cli.worker)
- `backup`, `restore`: the whole installation to and from one file (traceiq_app.cli.backup)
- `results upload`: another runner's report to a server (traceiq_app.cli.results)
- `pull`, `push`: tests as code, a project as a folder of YAML files (traceiq_app.cli.tree)

Subcommands import what they need lazily: `traceiq exec` must start fast and must not need a
database, Redis or the web app.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def build_parser() -> argparse.ArgumentParser:
    # Imported here, not at the top: `python -m traceiq_app.cli.exec` imports this package first,
    # and the other sub-commands pull in httpx and more (~0.1 s) that `exec` never uses.
    from traceiq_app.cli import admin, backup, imports, results, run, tree, worker
    from traceiq_app.cli import exec as exec_command

    parser = argparse.ArgumentParser(prog="traceiq", description="TraceIQ: self-hosted browser testing")
    sub = parser.add_subparsers(dest="command", required=True)
    worker.add_parsers(sub)
    admin.add_parsers(sub)
    exec_command.add_parser(sub)
    run.add_parser(sub)
    imports.add_parser(sub)
    backup.add_parsers(sub)
    results.add_parser(sub)
    tree.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)
