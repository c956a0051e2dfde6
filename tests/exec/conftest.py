"""Fixtures for the formats + `traceiq exec` tests: a local site, a warm engine, a CLI runner.

Everything drives a real Chromium (Debian's, via the engine's fallback); nothing is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import serve_directory
from traceiq_app.engine.runner import Engine

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
REPO = HERE.parents[1]
RECORDER_FLOWS = REPO / "tests" / "fixture_recorder"
DATA = HERE / "data"
RECORDED_ORIGIN = "http://localhost:8000"  # the origin the sample flows were "recorded" on


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    with serve_directory(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = Engine()
    yield eng
    eng.close()


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 180, entry_point: bool = False) -> subprocess.CompletedProcess[str]:
    """`python -m traceiq_app.cli.exec ...` (or the installed `traceiq exec ...` entry point) in a
    subprocess; stdout is not a TTY, so progress is one plain line per test."""
    full_env = {**os.environ, **(env or {})}
    command = [str(Path(sys.executable).parent / "traceiq"), "exec"] if entry_point else \
        [sys.executable, "-m", "traceiq_app.cli.exec"]
    return subprocess.run(
        [*command, *args],
        capture_output=True, text=True, env=full_env, cwd=str(cwd or REPO), timeout=timeout,
    )


def rebase_text(path: Path, site_url: str) -> str:
    """A sample flow's text pointing at the test site instead of the recorded origin."""
    return path.read_text(encoding="utf-8").replace(RECORDED_ORIGIN, site_url)
