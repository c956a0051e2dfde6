"""AI tests: a local OpenAI-compatible server (llm_server.py), the run stack of tests/runs for a
real database and Redis, a real Chromium (snapshot, dry runs) and the checkout fixture page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.healing_site import render
from tests.runs.conftest import Stack, migrated_template, stack  # noqa: F401 - fixtures re-used here
from tests.support.processes import serve_directory
from traceiq_app.engine.runner import Engine


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    eng = Engine()
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def checkout_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ai-site")
    (folder / "checkout.html").write_text(render(), encoding="utf-8")
    with serve_directory(folder) as url:
        yield url + "/checkout.html"


def use_llm(running: Stack, url: str, **more: str) -> None:
    running.configure(TRACEIQ_LLM_BASE_URL=url, TRACEIQ_LLM_API_KEY="sk-local-test-key", TRACEIQ_LLM_MODEL="local-model",
                    **more)


GOOD_TEST = {"name": "Place an order", "steps": [
    {"action": "goto", "url": "{url}"},
    {"action": "fill", "target": [{"label": "Email address"}], "value": "alice@example.com"},
    {"action": "click", "target": [{"role": "button", "name": "Place order"}]},
    {"action": "assert_text", "target": [{"css": "#status"}], "expected": "save"}]}


def good_test(url: str) -> dict:
    import json

    return json.loads(json.dumps(GOOD_TEST).replace("{url}", url))




from tests.support.webapp import *  # noqa: E402,F401,F403 - the web app fixtures (browser tests)
from tests.support.webapp import pytest_runtest_makereport  # noqa: E402,F401
