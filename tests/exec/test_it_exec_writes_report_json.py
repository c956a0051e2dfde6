"""`--report-json` has exactly the documented shape; failed_step indexes the source file."""

from __future__ import annotations

import json

import pytest

from tests.exec.conftest import DATA, RECORDER_FLOWS, run_cli

pytestmark = pytest.mark.browser


def test_it_writes_the_documented_report(site_url: str, tmp_path) -> None:
    report_path = tmp_path / "out" / "report.json"
    proc = run_cli(str(DATA / "native_pass.yaml"), str(RECORDER_FLOWS / "fails_wait_for_element.json"),
                   "--base-url", site_url, "--report-json", str(report_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(report_path.read_text())
    assert set(report) == {"summary", "tests"}
    summary = report["summary"]
    assert set(summary) == {"total", "passed", "failed", "errors", "duration_ms"}
    assert (summary["total"], summary["passed"], summary["failed"], summary["errors"]) == (2, 1, 1, 0)
    assert isinstance(summary["duration_ms"], int) and summary["duration_ms"] > 0

    passed, failed = report["tests"]
    for entry in (passed, failed):
        assert set(entry) == {"name", "source", "status", "duration_ms", "failed_step", "error", "steps",
                              "artifacts", "healed_steps"}
        assert entry["healed_steps"] == []
        for step in entry["steps"]:
            assert set(step) == {"index", "type", "status", "duration_ms", "error"}
    assert passed["name"] == "native_pass"  # file name without extension
    assert passed["source"].endswith("native_pass.yaml")
    assert (passed["status"], passed["failed_step"], passed["error"]) == ("passed", None, None)
    assert [s["status"] for s in passed["steps"]] == ["passed"] * 3

    assert failed["name"] == "fails_wait_for_element"
    assert failed["status"] == "failed"
    assert failed["failed_step"] == 3  # 0-based index into the Recorder file's steps
    assert "something that never happens" in failed["error"]
    assert [s["status"] for s in failed["steps"]] == ["passed", "passed", "passed", "failed", "skipped"]
    assert failed["steps"][3]["type"] == "wait_for" and failed["steps"][3]["error"] == failed["error"]
    assert failed["artifacts"] == {}  # no --artifacts: no files kept
