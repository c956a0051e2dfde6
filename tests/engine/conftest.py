"""Engine tests drive a real Chromium against the static site in tests/fixture_site/.

One HTTP server and one Engine (warm browser) per xdist worker keep the suite fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.engine.helpers import SITE_DIR
from tests.support.processes import QuietHandler, serve_directory
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions, TestResult
from traceiq_app.engine.runner import Engine


class _RedirectingHandler(QuietHandler):
    def do_GET(self) -> None:
        # /redirect?to=URL answers 302: server-side redirects for the allowlist tests.
        parts = urlsplit(self.path)
        if parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", parse_qs(parts.query)["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    with serve_directory(SITE_DIR, _RedirectingHandler) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = Engine()
    yield eng
    eng.close()


RunSteps = Callable[..., TestResult]


@pytest.fixture
def run(engine: Engine, site: str) -> RunSteps:
    """run(steps, page="form.html", **test_fields, options=RunOptions(...)) -> TestResult.

    A goto to `page` is prepended unless page=None, so step indexes in results are shifted by 1.
    `last_timeout_ms` limits only the last step (the one a failing-path test expects to fail).
    """

    def _run(steps: list[dict[str, Any]], page: str | None = "form.html", options: RunOptions | None = None,
             reporter: Any = None, source_dir: Path | None = None, last_timeout_ms: int | None = None,
             **fields: Any) -> TestResult:
        if last_timeout_ms is not None:
            # Only the step expected to fail gets a short limit: a loaded CI box must not make
            # the steps before it time out instead.
            steps = [*steps[:-1], {**steps[-1], "timeout_ms": last_timeout_ms}]
        all_steps = ([{"action": "goto", "url": site + page}] if page else []) + steps
        data = {"name": fields.pop("name", "engine test"), **fields, "steps": all_steps}
        test = TestDefinition.model_validate(data)
        return engine.run(test, options or RunOptions(), reporter=reporter, source_dir=source_dir)

    return _run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything using the engine drives a real Chromium: `-m "not browser"` skips it.
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
