"""Healing tests: the run stack of tests/runs (real Redis, real `traceiq worker`, real Chromium,
a migrated SQLite copy per test) and a checkout page whose next version can be swapped in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.healing_site import Mutation, render
from tests.runs.conftest import (  # noqa: F401 - fixtures re-used here
    Stack,
    migrated_template,
    site_url,
    stack,
)
from tests.support.processes import serve_directory
from tests.support.webapp import *  # noqa: F401,F403 - the web app fixtures (browser tests)
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401


class CheckoutSite:
    """/checkout.html is version 1 until `change_to(mutation)` swaps in the next version."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder, self.url = folder, url
        self.page_url = url + "/checkout.html"
        self.change_to(None)

    def change_to(self, mutation: Mutation | None) -> None:
        (self.folder / "checkout.html").write_text(render(mutation), encoding="utf-8")


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[CheckoutSite]:
    folder = tmp_path / "checkout-site"
    folder.mkdir()
    with serve_directory(folder) as url:
        yield CheckoutSite(folder, url)


RELEASE_2 = Mutation("release-2", "save", "#save", True, {"save": {"id": "place-order", "cls": "button primary"}})


def order_steps(url: str) -> list[dict]:
    return [{"action": "goto", "url": url},
            {"action": "click", "target": {"css": "#save"}, "timeout_ms": 1500},
            {"action": "assert_text", "target": {"css": "#status"}, "expected": "save"}]
