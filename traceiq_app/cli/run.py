"""`traceiq run`: start a run of a project's tests.

With `--server URL --token T` (or TRACEIQ_SERVER / TRACEIQ_TOKEN) it works over the public API
(traceiq_app/cli/remote_run.py) — what CI jobs use:

    traceiq run --server https://traceiq.example --token tiq_... --project web-shop --tag smoke --wait --junit out.xml

Without a server it is the administrator's local mode: it talks to the database and Redis
directly, like `traceiq worker`.

Exit code with --wait: 0 passed, 1 failed/error/cancelled, 2 usage/auth/validation error,
3 timed out (remote mode: --timeout reached).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from traceiq_app.cli.client import add_server_options, server_from


def add_parser(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="start a run of a project's tests on the workers")
    run.add_argument("--project", required=True, help="project slug")
    run.add_argument("--suite", action="append", default=[], help="suite name (with its sub-suites); repeatable")
    run.add_argument("--tag", action="append", default=[], help="tests with this tag; repeatable")
    run.add_argument("--test", action="append", default=[], help="test case name; repeatable")
    run.add_argument("--env", default=None, help="environment name")
    run.add_argument("--browser", action="append", choices=["chromium", "firefox", "webkit"], default=None)
    run.add_argument("--retries", type=int, default=0)
    run.add_argument("--parallelism", type=int, default=None)
    run.add_argument("--timeout", type=int, default=3600,
                     help="seconds: the run's timeout (with --wait against a server: stop waiting, cancel the "
                          "run and exit 3)")
    run.add_argument("--wait", action="store_true", help="wait for the run to end; exit 0 only if it passed")
    run.add_argument("--junit", default=None, metavar="FILE", help="write the run's JUnit XML here (implies --wait)")
    run.add_argument("--json", action="store_true", help="print the run as JSON")
    add_server_options(run)
    run.set_defaults(func=cmd_run)


def _lookup(project_slug: str, suites: list[str], tests: list[str], env: str | None) -> dict[str, Any]:
    from sqlmodel import col, select

    from traceiq_app.db import session_scope
    from traceiq_app.models import Environment, Project, Suite, TestCase
    from traceiq_app.services.runs.control import RunError

    with session_scope() as session:
        projects = list(session.exec(select(Project).where(
            Project.slug == project_slug, col(Project.deleted_at).is_(None))).all())
        if len(projects) != 1:
            raise RunError(f"no project with slug '{project_slug}'" if not projects
                           else f"several organizations have a project '{project_slug}'")
        project = projects[0]
        found: dict[str, Any] = {"project_id": project.id, "suite_ids": [], "test_ids": [], "environment_id": None}
        for name in suites:
            ids = list(session.exec(select(Suite.id).where(Suite.project_id == project.id, Suite.name == name)).all())
            if not ids:
                raise RunError(f"no suite named '{name}'")
            found["suite_ids"].extend(ids)
        for name in tests:
            ids = list(session.exec(select(TestCase.id).where(
                TestCase.project_id == project.id, TestCase.name == name, col(TestCase.deleted_at).is_(None))).all())
            if not ids:
                raise RunError(f"no test case named '{name}'")
            found["test_ids"].extend(ids)
        if env:
            env_id = session.exec(select(Environment.id).where(
                Environment.project_id == project.id, Environment.name == env)).first()
            if env_id is None:
                raise RunError(f"no environment named '{env}'")
            found["environment_id"] = env_id
        return found


def cmd_run(args: argparse.Namespace) -> int:
    if server_from(args):
        from traceiq_app.cli.remote_run import cmd_remote_run

        return cmd_remote_run(args)
    if args.junit:
        print("error: --junit needs --server (or TRACEIQ_SERVER)", file=sys.stderr)
        return 2
    from traceiq_app.models import RunSelection, RunTrigger
    from traceiq_app.services.runs import control as runs

    try:
        found = _lookup(args.project, args.suite, args.test, args.env)
        run = runs.start_run(
            found["project_id"],
            selection=RunSelection(suite_ids=found["suite_ids"], test_ids=found["test_ids"], tags=args.tag),
            environment_id=found["environment_id"], browsers=args.browser, retries=args.retries,
            parallelism=args.parallelism, timeout_s=args.timeout, trigger=RunTrigger.cli,
        )
    except (runs.RunError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"run {run.id} queued: {run.total} test(s) on {', '.join(run.browsers)}", file=sys.stderr)
    if not args.wait:
        if args.json:
            print(json.dumps(runs.run_detail(run.id)))
        return 0
    while True:
        current = runs.get_run(run.id)
        if current is None or current.status.is_final:
            break
        time.sleep(0.5)
    detail = runs.run_detail(run.id) or {}
    if args.json:
        print(json.dumps(detail))
    else:
        print(f"run {run.id}: {detail.get('status')} - {detail.get('passed')} passed, {detail.get('failed')} failed, "
              f"{detail.get('flaky')} flaky, {detail.get('errors')} errors, {detail.get('skipped')} skipped")
        for result in detail.get("results", []):
            if result["status"] not in ("passed", "flaky"):
                print(f"  {result['status']:9} {result['test_name']} [{result['browser']}] attempt "
                      f"{result['attempt']}: {result['error'] or ''}")
    return 0 if detail.get("status") == "passed" else 1
