"""`--base-url` moves absolute URLs recorded elsewhere (goto, asserted navigations, popup
targets) onto another origin."""

from __future__ import annotations

import pytest

from tests.exec.conftest import RECORDER_FLOWS, run_cli

pytestmark = pytest.mark.browser
DEAD_ORIGIN = "http://127.0.0.1:9"  # discard port: nothing listens there


def test_it_runs_a_flow_recorded_on_another_origin(site_url: str, tmp_path) -> None:
    flow = tmp_path / "recorded_elsewhere.json"
    text = (RECORDER_FLOWS / "shadow_frames_popup.json").read_text().replace("http://localhost:8000", DEAD_ORIGIN)
    flow.write_text(text)

    without = run_cli(str(flow))
    assert without.returncode == 1, without.stdout + without.stderr
    assert "FAIL recorded_elsewhere" in without.stdout

    rebased = run_cli(str(flow), "--base-url", site_url)
    assert rebased.returncode == 0, rebased.stdout + rebased.stderr
