"""No usable browser: exit 2 with an install hint, no traceback, no report of fake failures."""

from __future__ import annotations

import pytest

from tests.exec.conftest import DATA, run_cli

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("workers", ["1", "2"])
def test_it_exits_2_with_an_install_hint(tmp_path, workers: str) -> None:
    report = tmp_path / "r.json"
    proc = run_cli(str(DATA / "native_pass.yaml"), str(DATA / "codegen_site.py"), "--report-json", str(report),
                   "--workers", workers,
                   env={"TRACEIQ_CHROMIUM_PATH": str(tmp_path / "no-such-chromium")})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Chromium not found" in proc.stderr
    assert "TRACEIQ_CHROMIUM_PATH" in proc.stderr and "apt-get install chromium" in proc.stderr
    assert "--chromium-path" not in proc.stderr  # traceiq exec has no such flag
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not report.exists()


def test_it_rejects_an_unknown_browser() -> None:
    proc = run_cli(str(DATA / "native_pass.yaml"), "--browser", "netscape")
    assert proc.returncode == 2
    assert "unknown browser 'netscape'" in proc.stderr
