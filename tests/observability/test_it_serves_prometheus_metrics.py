"""/metrics merges every process of a node: runs, tests and steps counted by real workers (values,
not only names), kept across worker restarts; dead processes' files are folded so scrapes stay
fast; the token protects it when set."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.runs.conftest import TRACEIQ, goto, quick_steps
from traceiq_app.api.app import create_api


def _value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _scrape(monkeypatch: pytest.MonkeyPatch, folder: Path, **headers: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    return TestClient(create_api()).get("/metrics", headers=headers)


def _run(stack, project) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([TRACEIQ, "run", "--project", project.slug, "--wait", "--timeout", "120"],
                          env=stack.env, capture_output=True, text=True, timeout=180)


def test_it_counts_runs_tests_and_steps_across_worker_restarts(stack, site_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = stack.data_dir / "run" / "metrics"
    project = stack.project(site_url)
    stack.test_case(project, "passes", quick_steps())
    stack.test_case(project, "fails", [goto("/index.html"), {"action": "assert_title", "expected": "Nope",
                                                            "timeout_ms": 500}], position=1)
    stack.start_worker()
    stack.start_worker()
    first = _run(stack, project)
    assert first.returncode == 1, first.stdout + first.stderr  # one test failed

    text = _scrape(monkeypatch, folder).text
    assert _value(text, "traceiq_runs_started_total") == 1
    assert _value(text, "traceiq_runs_finished_total", status="failed") == 1
    assert _value(text, "traceiq_tests_finished_total", status="passed", browser="chromium") == 1
    assert _value(text, "traceiq_tests_finished_total", status="failed", browser="chromium") == 1
    assert _value(text, "traceiq_test_duration_seconds_count", browser="chromium") == 2
    assert _value(text, "traceiq_step_duration_seconds_count", action="goto", status="passed") == 2
    assert _value(text, "traceiq_step_duration_seconds_count", action="assert_title", status="failed") == 1
    assert _value(text, "traceiq_step_duration_seconds_sum") > 0
    assert _value(text, "traceiq_workers", state="total") == 2

    old_pids = {w.pid for w in stack.workers}
    stack.stop_workers()
    stack.workers.clear()
    stack.start_worker()
    second = _run(stack, project)
    assert second.returncode == 1, second.stdout + second.stderr

    text = _scrape(monkeypatch, folder).text
    assert _value(text, "traceiq_runs_started_total") == 2  # the stopped workers' counts are kept
    assert _value(text, "traceiq_tests_finished_total", status="passed", browser="chromium") == 2
    assert _value(text, "traceiq_test_duration_seconds_count", browser="chromium") == 4
    left = {int(m.group(1)) for p in folder.glob("*.db") if (m := re.search(r"_(\d+)\.db$", p.name))}
    assert not (left & old_pids), "files of dead workers are folded into the archive"


# What each short-lived worker process records before it dies (through our metrics module).
SHORT_LIVED = """
from traceiq_app.services.observability import metrics
metrics.observe_event("r", "test.finished", {"status": "passed", "browser": "chromium", "duration_ms": 1200})
metrics.observe_event("r", "step.finished", {"action": "click", "status": "passed", "duration_ms": 30})
"""


def test_it_keeps_scrapes_fast_after_200_worker_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for batch in range(20):
        processes = [subprocess.Popen([sys.executable, "-c", SHORT_LIVED], env=env) for _ in range(10)]
        assert [p.wait(120) for p in processes] == [0] * 10
        if batch == 9:  # a scrape in the middle folds the first hundred
            assert _scrape(monkeypatch, folder).status_code == 200
    assert len(list(folder.glob("*.db"))) > 100

    started = time.perf_counter()
    text = _scrape(monkeypatch, folder).text
    first = time.perf_counter() - started
    assert _value(text, "traceiq_tests_finished_total", status="passed") == 200
    assert _value(text, "traceiq_test_duration_seconds_count") == 200
    assert _value(text, "traceiq_step_duration_seconds_count", action="click") == 200
    files = sorted(p.name for p in folder.glob("*.db"))
    assert len(files) <= 4, files  # archives (+ this process's own files), not 400 files

    folded = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.db")}
    started = time.perf_counter()
    again = _scrape(monkeypatch, folder).text
    steady = time.perf_counter() - started
    assert _value(again, "traceiq_tests_finished_total", status="passed") == 200
    # A steady scrape reads the archives and folds nothing again: no file rewritten, none added.
    # (Timings are printed, not asserted: speed is measured in bench/, not in timed tests.)
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.db")} == folded
    print(f"scrape after 200 dead processes: first (folding) {first * 1000:.0f} ms, then {steady * 1000:.0f} ms")


def test_it_needs_the_token_when_one_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from traceiq_app.settings import reset_settings_cache

    monkeypatch.setenv("TRACEIQ_METRICS_TOKEN", "m-secret-1234")
    reset_settings_cache()
    try:
        folder = tmp_path / "m"
        folder.mkdir()
        assert _scrape(monkeypatch, folder).status_code == 401
        assert _scrape(monkeypatch, folder, authorization="Bearer wrong").status_code == 401
        ok = _scrape(monkeypatch, folder, authorization="Bearer m-secret-1234")
        assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
        schema = TestClient(create_api()).get("/api/openapi.json")
        assert "/metrics" not in schema.text
    finally:
        monkeypatch.delenv("TRACEIQ_METRICS_TOKEN")
        reset_settings_cache()
