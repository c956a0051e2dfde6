"""One invalid file does not stop a multi-file `traceiq exec`: it is listed, skipped and
reported as an error in every report while the valid files run (exit 1). `--strict` keeps the
old "any problem: nothing runs, exit 2"."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from tests.exec.conftest import DATA, RECORDER_FLOWS, run_cli

pytestmark = pytest.mark.browser
XSD = Path(__file__).with_name("junit-10.xsd")


def _bad_native(tmp_path: Path) -> Path:
    bad = tmp_path / "bad_native.yaml"
    bad.write_text("version: 1\nname: bad\nsteps:\n  - action: clik\n    target: {css: a}\n")
    return bad


def test_it_runs_the_valid_files_and_reports_the_invalid_ones_as_errors(site_url: str, tmp_path: Path) -> None:
    bad = _bad_native(tmp_path)
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    proc = run_cli(str(DATA / "native_pass.yaml"), str(RECORDER_FLOWS / "unsupported_custom_step.json"), str(bad),
                   "--base-url", site_url, "--report-json", str(report), "--junit", str(junit))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 invalid file(s) skipped" in proc.stderr
    assert "bad_native.yaml: step 1 (clik, line 4): unknown action 'clik'" in proc.stderr
    assert "unsupported_custom_step.json: steps[2] (customStep)" in proc.stderr
    assert "PASS native_pass" in proc.stdout
    assert "ERROR bad_native" in proc.stdout and "ERROR unsupported_custom_step" in proc.stdout
    assert "3 tests: 1 passed, 0 failed, 2 errors" in proc.stdout

    data = json.loads(report.read_text())
    assert data["summary"] == {**data["summary"], "total": 3, "passed": 1, "failed": 0, "errors": 2}
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["native_pass"]["status"] == "passed"
    assert by_name["bad_native"]["status"] == "error"
    assert by_name["bad_native"]["error"].startswith("invalid test file: bad_native.yaml: step 1 (clik, line 4)")
    assert "customStep 'lighthouse' is not supported" in by_name["unsupported_custom_step"]["error"]

    xmlschema.XMLSchema(str(XSD)).validate(str(junit))
    cases = {c.get("name"): c for c in ElementTree.parse(junit).getroot().findall(".//testcase")}
    assert set(cases) == {"native_pass", "bad_native", "unsupported_custom_step"}
    error = cases["bad_native"].find("error")
    assert error is not None and error.get("message") == by_name["bad_native"]["error"]
    assert cases["native_pass"].find("error") is None


def test_it_reports_and_exits_1_when_every_file_is_invalid(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = run_cli(str(_bad_native(tmp_path)), "--report-json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert json.loads(report.read_text())["summary"]["errors"] == 1


def test_it_runs_nothing_and_exits_2_with_strict(site_url: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = run_cli(str(DATA / "native_pass.yaml"), str(_bad_native(tmp_path)), "--strict",
                   "--base-url", site_url, "--report-json", str(report))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "1 problem(s) found; nothing was run" in proc.stderr
    assert "bad_native.yaml: step 1 (clik, line 4): unknown action 'clik'" in proc.stderr
    assert proc.stdout == "" and not report.exists()
