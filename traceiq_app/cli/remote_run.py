"""`traceiq run --server URL --token T ...`: start a run over the public API, follow its events
(a live progress bar on a terminal, plain lines otherwise and in CI), print a summary with the
run's URL, optionally write its JUnit XML.

Exit codes: 0 all passed, 1 any failed (or error/cancelled), 2 usage/auth/validation error,
3 timed out (--timeout reached: the run is cancelled; or the server timed it out).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from traceiq_app.cli.client import ApiError, Client, detect_ci, fancy_output, server_from, token_from

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 3


def _say(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr, flush=True)


def start_body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"retries": args.retries, "timeout_s": max(1, min(int(args.timeout), 86_400))}
    if args.suite:
        body["suite"] = list(args.suite)
    if args.test:
        body["tests"] = list(args.test)
    if args.tag:
        body["tags"] = list(args.tag)
    if args.env:
        body["environment"] = args.env
    if args.browser:
        body["browsers"] = list(args.browser)
    if args.parallelism is not None:
        body["parallelism"] = args.parallelism
    ci = detect_ci()
    if ci is not None and ci.metadata():
        body["metadata"] = ci.metadata()
    return body


class Progress:
    """Prints what happens: one line per finished test, or a redrawn bar on a terminal."""

    def __init__(self, fancy: bool) -> None:
        self.fancy, self.total, self.done = fancy, 0, 0
        self.counts = {"passed": 0, "failed": 0, "flaky": 0, "error": 0, "cancelled": 0}
        self.current = ""

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "run.queued":
            self.total = int(data.get("total") or 0)
        elif kind == "test.started":
            self.current = f"{data.get('name')} [{data.get('browser')}]"
        elif kind == "test.finished":
            status = str(data.get("status"))  # run.progress that follows says how many are done
            if status in self.counts:
                self.counts[status] += 1
            if not self.fancy:
                line = f"  {status:9} {data.get('name')} [{data.get('browser')}]"
                if int(data.get("attempt") or 1) > 1:
                    line += f" attempt {data.get('attempt')}"
                if data.get("duration_ms") is not None:
                    line += f" ({int(data['duration_ms']) / 1000:.1f} s)"
                if data.get("error") and status in ("failed", "error"):
                    line += f": {str(data['error']).splitlines()[0][:300]}"
                _say(line)
        elif kind in ("run.progress", "run.finished"):
            finished = sum(int(data.get(k) or 0) for k in ("passed", "failed", "flaky", "errors", "skipped"))
            self.total = int(data.get("total") or self.total)
            self.done = finished
        if self.fancy:
            self.draw()

    def draw(self) -> None:
        width = 30
        filled = int(width * self.done / self.total) if self.total else 0
        bar = "#" * filled + "." * (width - filled)
        text = (f"\r[{bar}] {self.done}/{self.total}  passed {self.counts['passed'] + self.counts['flaky']}  "
                f"failed {self.counts['failed'] + self.counts['error']}  {self.current[:40]}")
        sys.stderr.write(text.ljust(110)[:110])
        sys.stderr.flush()

    def close(self) -> None:
        if self.fancy:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _summary(report: dict[str, Any], url: str) -> list[str]:
    t = report["totals"]
    duration = f" in {report['duration_ms'] / 1000:.1f} s" if report.get("duration_ms") is not None else ""
    lines = [f"run {report['id']}: {report['status']} - {t['passed']} passed, {t['failed']} failed, "
             f"{t['flaky']} flaky, {t['errors']} errors, {t['skipped']} skipped{duration}"]
    for test in report["tests"]:
        if test["status"] not in ("passed", "flaky"):
            error = (test.get("error") or "").splitlines()[0][:300] if test.get("error") else ""
            lines.append(f"  {test['status']:9} {test['name']} [{test['browser']}] attempt "
                         f"{len(test['attempts'])}" + (f": {error}" if error else ""))
    lines.append(f"details: {url}")
    return lines


def cmd_remote_run(args: argparse.Namespace) -> int:
    server, token = server_from(args), token_from(args)
    if not token:
        _say("error: --token (or TRACEIQ_TOKEN) is required with --server")
        return EXIT_USAGE
    wait = bool(args.wait or args.junit)
    try:
        client = Client(server or "", token)
    except ApiError as exc:
        _say(*exc.lines())
        return EXIT_USAGE
    try:
        started = client.json("POST", f"/api/v1/projects/{args.project}/runs", json=start_body(args))
        run_id, url = started["id"], started["url"]
        _say(f"run {run_id} started: {url}")
        if not wait:
            if args.json:
                print(json.dumps(started))
            return EXIT_PASSED
        deadline = time.monotonic() + max(1, int(args.timeout))
        progress = Progress(fancy_output())
        finished = False
        try:
            for kind, data in client.events(run_id, deadline=deadline):
                progress.event(kind, data)
                if kind == "run.finished":
                    finished = True
        finally:
            progress.close()
        if not finished:
            _say(f"error: the run did not finish within {args.timeout} s; cancelling it")
            try:
                client.request("POST", f"/api/v1/runs/{run_id}/cancel")
            except ApiError as exc:
                _say(*exc.lines())
            _write_junit(client, run_id, args.junit)
            return EXIT_TIMEOUT
        report = client.json("GET", f"/api/v1/runs/{run_id}")
        _write_junit(client, run_id, args.junit)
        if args.json:
            print(json.dumps(report))
        else:
            print("\n".join(_summary(report, url)), flush=True)
        if report["status"] == "passed":
            return EXIT_PASSED
        return EXIT_TIMEOUT if report["status"] == "timed_out" else EXIT_FAILED
    except ApiError as exc:
        _say(*exc.lines())
        return EXIT_USAGE
    finally:
        client.close()


def _write_junit(client: Client, run_id: str, path: str | None) -> None:
    if not path:
        return
    xml = client.request("GET", f"/api/v1/runs/{run_id}/junit").text
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(xml, encoding="utf-8")
    _say(f"JUnit report: {target}")
