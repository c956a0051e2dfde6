"""A Playwright codegen script runs through `traceiq exec` without being executed as Python."""

from __future__ import annotations

import json

import pytest

from tests.exec.conftest import DATA, run_cli

pytestmark = pytest.mark.browser


def test_it_runs_a_codegen_script_and_points_failures_at_its_line(site_url: str, tmp_path) -> None:
    broken = tmp_path / "codegen_broken.py"
    broken.write_text((DATA / "codegen_site.py").read_text().replace('to_have_text("clicked test")',
                                                                     'to_have_text("clicked twice")'))
    report = tmp_path / "r.json"
    proc = run_cli(str(DATA / "codegen_site.py"), str(broken), "--base-url", site_url, "--report-json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    ok, bad = json.loads(report.read_text())["tests"]
    assert ok["status"] == "passed", ok["error"]
    assert bad["status"] == "failed" and bad["failed_step"] == 2
    assert "line 12" in bad["error"] and "clicked twice" in bad["error"]
