"""Any TestDefinition exports to a standalone pytest-playwright script that passes (or fails at
the same step) under plain `pytest`, against the same site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.exec.conftest import DATA, RECORDER_FLOWS
from traceiq_app.engine.export import export_pytest
from traceiq_app.engine.importers import load_any

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_exports_every_action(engine, site_url: str) -> None:
    from traceiq_app.engine.model import STEP_ACTIONS
    from traceiq_app.engine.results import RunOptions

    test = load_any(DATA / "kitchen_sink.yaml")
    assert {s.action for s in test.steps} == set(STEP_ACTIONS)
    # the engine runs it too: the export is checked against a test known to pass
    result = engine.run(test, RunOptions(base_url=site_url), source_dir=DATA)
    assert result.status == "passed", result.error


def test_it_exports_scripts_that_pass_under_pytest(site_url: str, tmp_path: Path) -> None:
    sources = {
        "test_recorder_flow.py": RECORDER_FLOWS / "shadow_frames_popup.json",
        "test_recorder_mouse.py": RECORDER_FLOWS / "scroll_hover_mouse.json",
        "test_native.py": DATA / "native_pass.yaml",
        "test_kitchen_sink.py": DATA / "kitchen_sink.yaml",  # every one of the 40 actions
        "test_codegen.py": DATA / "codegen_site.py",
        "test_failing.py": RECORDER_FLOWS / "fails_wait_for_element.json",
    }
    for name, source in sources.items():
        code = export_pytest(load_any(source), source_dir=source.parent)
        compile(code, name, "exec")  # valid Python
        (tmp_path / name).write_text(code)
    junit = tmp_path / "junit.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
        env={**os.environ, "TRACEIQ_BASE_URL": site_url},
    )
    outcomes: dict[str, str] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = (case.get("classname") or "").rsplit(".", 1)[-1]
        outcomes[module] = "failed" if case.find("failure") is not None or case.find("error") is not None \
            else "passed"
    assert outcomes == {
        "test_recorder_flow": "passed",
        "test_recorder_mouse": "passed",
        "test_native": "passed",
        "test_kitchen_sink": "passed",
        "test_codegen": "passed",
        "test_failing": "failed",
    }, proc.stdout[-3000:]
    # The failing export stops at the same step as the engine (step 4 = index 3).
    assert "# step 4: wait_for" in (tmp_path / "test_failing.py").read_text()
    assert "something that never happens" in proc.stdout
