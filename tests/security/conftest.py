"""Attack tests: what a test definition may make the worker's browser reach.

A real Chromium (one warm Engine per xdist worker) against a local HTTP server; nothing mocked.
The addresses attacked (169.254.169.254, 10.0.0.1...) must never see a packet: the engine refuses
them before the browser connects. Before these tests existed the engine let them through; check
a change to them in a network namespace that has only loopback (`unshare -n`), never on a
machine whose network could deliver the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import _RedirectingHandler, engine  # noqa: F401,F811 - the engine fixture
from tests.support.processes import serve_directory
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions, TestResult
from traceiq_app.engine.runner import Engine

SITE_DIR = Path(__file__).resolve().parent / "site"
METADATA = "http://169.254.169.254/latest/meta-data/"


SEEN: list[str] = []  # every path the test server was asked for (this process)


class _AttackHandler(_RedirectingHandler):
    """The engine tests' site (/redirect?to=URL answers 302 to any URL, file: and metadata
    included) that also records every path it was asked for."""

    def do_GET(self) -> None:
        SEEN.append(self.path)
        super().do_GET()


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    with serve_directory(SITE_DIR, _AttackHandler) as url:
        yield url + "/"




RunSteps = Callable[..., TestResult]


@pytest.fixture
def run(engine: Engine, site: str) -> RunSteps:  # noqa: F811 - `engine` is the imported fixture
    """run(steps, page="index.html", options=RunOptions(...)) -> TestResult; a goto to `page`
    comes first unless page=None (step indexes shift by one)."""

    def _run(steps: list[dict[str, Any]], page: str | None = "index.html", options: RunOptions | None = None,
             **fields: Any) -> TestResult:
        all_steps = ([{"action": "goto", "url": site + page}] if page else []) + steps
        data = {"name": fields.pop("name", "attack"), "step_timeout_ms": 5_000, **fields, "steps": all_steps}
        return engine.run(TestDefinition.model_validate(data), options or RunOptions())

    return _run


def failure(result: TestResult, index: int) -> str:
    """The error of step `index`, which must be the step that failed the test."""
    assert result.status == "failed", (result.status, result.error, [s.error for s in result.steps])
    assert result.failed_step == index, (result.failed_step, result.error)
    message = result.steps[index].error or ""
    assert "Traceback" not in message and "Call log" not in message, message
    return message


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
