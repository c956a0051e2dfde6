"""`--workers 2`: tests are spread over two warm browser processes; the report keeps the
input order and every verdict."""

from __future__ import annotations

import json

import pytest

from tests.exec.conftest import DATA, RECORDER_FLOWS, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_runs_tests_in_two_worker_processes(site_url: str, tmp_path) -> None:
    files = [
        RECORDER_FLOWS / "fails_missing_element.json",
        RECORDER_FLOWS / "shadow_frames_popup.json",
        DATA / "native_pass.yaml",
        DATA / "codegen_site.py",
    ]
    report_path = tmp_path / "report.json"
    proc = run_cli(*map(str, files), "--base-url", site_url, "--workers", "2", "--report-json", str(report_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(report_path.read_text())
    assert [t["name"] for t in report["tests"]] == [f.stem for f in files]
    assert [t["status"] for t in report["tests"]] == ["failed", "passed", "passed", "passed"]
    assert report["tests"][0]["failed_step"] == 3
    assert proc.stdout.count("PASS") == 3 and proc.stdout.count("FAIL") == 1
