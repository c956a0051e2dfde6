"""`traceiq run --project SLUG ... --wait` starts a run on the workers and exits 0 only when it
passed (1 when it did not, 2 for a bad request)."""

from __future__ import annotations

import subprocess

from tests.runs.conftest import TRACEIQ, goto, quick_steps, title_is


def _cli(stack, *args):
    return subprocess.run([TRACEIQ, "run", *args], env=stack.env, capture_output=True, text=True, timeout=180)


def test_it_starts_a_run_and_reports_its_outcome(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "smoke home", quick_steps(), tags=["smoke"])
    stack.test_case(project, "broken", [goto("/index.html"), title_is("Nope")], tags=["full"])
    stack.start_worker()

    ok = _cli(stack, "--project", project.slug, "--tag", "smoke", "--wait")
    assert ok.returncode == 0, ok.stderr
    assert "passed - 1 passed, 0 failed" in ok.stdout

    bad = _cli(stack, "--project", project.slug, "--tag", "full", "--retries", "1", "--wait")
    assert bad.returncode == 1
    assert "failed" in bad.stdout and "broken [chromium] attempt 2" in bad.stdout

    assert _cli(stack, "--project", "no-such-project").returncode == 2
