"""Headless tests run in Chromium's headless shell when the system has it (Debian's
`chromium-headless-shell`, installed by scripts/bootstrap.sh): it launches and renders its first
page in about half the time of the full browser. A headed run (`traceiq exec --headed`) needs
the full browser; an explicit path wins over both."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from tests.engine.helpers import assert_passed
from traceiq_app.engine import browser as browser_module
from traceiq_app.engine.browser import SYSTEM_CHROMIUM, SYSTEM_HEADLESS_SHELL, WarmBrowser

SHELL = next((p for p in SYSTEM_HEADLESS_SHELL if Path(p).exists()), None)
needs_shell = pytest.mark.skipif(SHELL is None and not os.environ.get("CI"),
                                 reason="chromium-headless-shell is not installed (scripts/bootstrap.sh installs it)")


def _descendant_exes() -> set[str]:
    found = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            found.add(proc.exe())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@needs_shell
def test_it_launches_the_headless_shell_for_headless_tests(engine, run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEIQ_CHROMIUM_PATH", raising=False)
    assert SHELL is not None, "CI installs chromium-headless-shell through scripts/bootstrap.sh"
    assert_passed(run([], page="index.html"))
    assert str(Path(SHELL).resolve()) in _descendant_exes()


@needs_shell
def test_it_picks_the_full_browser_for_headed_runs_and_an_explicit_path_over_both(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRACEIQ_CHROMIUM_PATH", raising=False)
    playwright = engine._pool._pw or browser_module._Driver.acquire()
    managed = Path(playwright.chromium.executable_path).exists()
    if managed:
        pytest.skip("Playwright's own Chromium download is installed and wins over the system's")
    headless = WarmBrowser(playwright, "chromium", headless=True)._chromium_executable()
    headed = WarmBrowser(playwright, "chromium", headless=False)._chromium_executable()
    assert headless == SHELL
    assert headed in SYSTEM_CHROMIUM
    explicit = WarmBrowser(playwright, "chromium", executable_path=headed, headless=True)._chromium_executable()
    assert explicit == headed
