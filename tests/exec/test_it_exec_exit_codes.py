"""`traceiq exec` exit codes: 0 all passed, 1 any failed, 2 bad input (nothing run; with --strict,
also for invalid test files, which are otherwise skipped: test_it_exec_skips_invalid_files)."""

from __future__ import annotations

import pytest

from tests.exec.conftest import DATA, RECORDER_FLOWS, run_cli

pytestmark = pytest.mark.browser


def test_it_exits_0_when_every_test_passes(site_url: str) -> None:
    proc = run_cli(str(RECORDER_FLOWS / "shadow_frames_popup.json"), str(DATA / "native_pass.yaml"),
                   "--base-url", site_url, entry_point=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[1/2] PASS" in proc.stdout and "[2/2] PASS" in proc.stdout  # one plain line per test
    assert "2 tests: 2 passed, 0 failed, 0 errors" in proc.stdout


def test_it_exits_1_when_a_test_fails(site_url: str) -> None:
    proc = run_cli(str(DATA / "native_pass.yaml"), str(RECORDER_FLOWS / "fails_missing_element.json"),
                   "--base-url", site_url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL fails_missing_element" in proc.stdout
    assert "1 passed, 1 failed" in proc.stdout


def test_it_exits_2_listing_every_problem_and_runs_nothing(tmp_path) -> None:
    bad_native = tmp_path / "bad_native.yaml"
    bad_native.write_text("version: 1\nname: bad\nsteps:\n  - action: clik\n    target: {css: a}\n")
    bad_codegen = tmp_path / "bad_codegen.py"
    bad_codegen.write_text("def test_x(page):\n    page.mouse.wheel(0, 10)\n")
    unknown_var = tmp_path / "unknown_var.yaml"
    unknown_var.write_text("version: 1\nname: v\nsteps:\n  - action: goto\n    url: ${NOPE}/x\n")
    proc = run_cli(str(tmp_path), str(RECORDER_FLOWS / "unsupported_custom_step.json"), str(tmp_path / "missing.json"),
                   "--workers", "0", "--strict")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    assert "nothing was run" in err
    for expected in [
        "--workers must be at least 1",
        "bad_native.yaml: step 1 (clik, line 4): unknown action 'clik'",
        "bad_codegen.py: line 2: page.mouse is not supported",
        "unknown_var.yaml: step 1 (goto): unknown variable ${NOPE}",
        "unsupported_custom_step.json: steps[2] (customStep)",
        "missing.json: no such file or directory",
    ]:
        assert expected in err, f"{expected!r} not in:\n{err}"
    assert proc.stdout == ""  # no test started
    assert "Traceback" not in err
