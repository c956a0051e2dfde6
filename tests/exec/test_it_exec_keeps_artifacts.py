"""`--artifacts DIR` keeps evidence per test (trace + screenshot on failure by default) and the
report points at the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.exec.conftest import DATA, RECORDER_FLOWS, run_cli

pytestmark = pytest.mark.browser


def test_it_keeps_failure_evidence(site_url: str, tmp_path: Path) -> None:
    artifacts, report = tmp_path / "artifacts", tmp_path / "r.json"
    proc = run_cli(str(DATA / "native_pass.yaml"), str(RECORDER_FLOWS / "fails_missing_element.json"),
                   "--base-url", site_url, "--artifacts", str(artifacts), "--report-json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    passed, failed = json.loads(report.read_text())["tests"]
    assert "trace" not in passed["artifacts"]  # --trace failures (the default with --artifacts)
    assert Path(failed["artifacts"]["trace"]).is_file()
    assert Path(failed["artifacts"]["failure_screenshot"]).is_file()
    assert Path(failed["artifacts"]["trace"]).is_relative_to(artifacts)


def test_it_needs_a_folder_for_video_and_traces() -> None:
    proc = run_cli(str(DATA / "native_pass.yaml"), "--video", "--trace", "on")
    assert proc.returncode == 2
    assert "--video needs --artifacts" in proc.stderr and "--trace on needs --artifacts" in proc.stderr
