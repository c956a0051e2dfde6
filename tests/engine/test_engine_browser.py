"""Browser selection, missing browsers (status error with an install hint), ffmpeg linking."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tests.engine.helpers import Recorder, assert_passed
from traceiq_app.engine import browser as browser_module
from traceiq_app.engine.errors import BrowserNotAvailable
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.runner import Engine

TEST = TestDefinition.model_validate({"name": "t", "steps": [{"action": "goto", "url": "about:blank"}]})


def test_it_reuses_one_warm_browser_across_tests(engine, run):
    assert_passed(run([], page="index.html"))
    first = engine._pool.get()
    assert_passed(run([], page="index.html"))
    assert engine._pool.get() is first


def test_it_errors_with_a_hint_when_the_chromium_path_is_wrong(engine):
    # A second Engine in the same process shares the Playwright driver with the session engine.
    other = Engine(executable_path="/nonexistent/chrome")
    try:
        result = other.run(TEST, RunOptions())
        assert result.status == "error"
        assert result.error == ("Chromium not found at /nonexistent/chrome: fix TRACEIQ_CHROMIUM_PATH (or the "
                                "configured path), or install it with `apt-get install chromium`")
        assert "--chromium-path" not in result.error
        assert [s.status for s in result.steps] == ["skipped"]
        with pytest.raises(BrowserNotAvailable):
            other.check_browser()
    finally:
        other.close()
    engine.check_browser()  # the shared driver survived the other engine's close


@pytest.mark.parametrize("name", ["firefox", "webkit"])
def test_it_explains_how_to_install_a_missing_playwright_browser(engine, name):
    other = Engine(browser=name)
    try:
        try:
            other.check_browser()
        except BrowserNotAvailable as exc:
            assert f"playwright install {name}" in str(exc)
            result = other.run(TEST)
            assert result.status == "error" and f"playwright install {name}" in (result.error or "")
        else:
            assert other.run(TEST).status == "passed"  # installed here: it just works
    finally:
        other.close()


def test_it_rejects_an_unknown_browser_name():
    other = Engine(browser="netscape")
    try:
        result = other.run(TEST)
        assert result.status == "error"
        assert result.error == "unknown browser 'netscape' (use one of chromium, firefox, webkit)"
    finally:
        other.close()


def test_it_links_the_system_ffmpeg_where_playwright_looks(tmp_path, monkeypatch):
    if not Path("/usr/bin/ffmpeg").exists():
        pytest.skip("no system ffmpeg")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    linked = browser_module.ensure_ffmpeg()
    assert linked is not None and linked.parent.name.startswith("ffmpeg-") and linked.name == "ffmpeg-linux"
    assert linked.resolve() == Path("/usr/bin/ffmpeg").resolve()
    assert browser_module.ensure_ffmpeg() == linked  # idempotent


class _KillBrowserAfterFirstStep(Recorder):
    def __init__(self, browser) -> None:
        super().__init__([])
        self.browser = browser

    def step_finished(self, result) -> None:
        super().step_finished(result)
        if result.index == 0:
            self.browser.close()


def test_it_errors_when_the_browser_dies_and_relaunches_for_the_next_test(engine, run):
    browser = engine._pool.get()
    result = run([{"action": "click", "target": {"css": "#submit"}}], reporter=_KillBrowserAfterFirstStep(browser))
    assert result.status == "error"
    assert result.failed_step == 1
    assert result.error == "step 2 (click): the browser crashed or was closed"
    assert_passed(run([], page="index.html"))
    assert engine._pool.get() is not browser


def test_it_aborts_the_running_test_from_another_thread(engine, run):
    assert engine.abort("nothing running") is False
    aborted: list[float] = []

    def abort() -> None:
        aborted.append(time.monotonic())
        assert engine.abort("stopped by user") is True

    class AbortDuringStep2(Recorder):
        def step_started(self, index: int, action: str, name: str | None) -> None:
            super().step_started(index, action, name)
            if index == 1:  # the long wait_for (index 0 is the goto the fixture adds)
                threading.Timer(0.5, abort).start()

    result = run([{"action": "wait_for", "expression": "false", "timeout_ms": 30_000},
                  {"action": "click", "target": {"css": "#submit"}}], reporter=AbortDuringStep2([]))
    assert aborted and time.monotonic() - aborted[0] < 2
    assert result.status == "failed"
    assert result.error == "cancelled: stopped by user"
    assert result.failed_step == 1
    assert result.steps[1].error == "step 2 (wait_for): cancelled: stopped by user"
    assert [s.status for s in result.steps] == ["passed", "failed", "skipped"]
    assert engine.abort("after the end") is False
    assert_passed(run([], page="index.html"))  # the warm browser is still usable


def _descendants(root: int) -> list[tuple[int, list[str]]]:
    """(pid, argv) of every process under root, read from /proc."""
    children: dict[int, list[int]] = {}
    argv: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append((child, argv.get(child, [])))
            todo.append(child)
    return found


def _renderers(browser_pid: int) -> int:
    # Chromium rewrites its children's command lines into one space-separated string.
    return sum(1 for _, args in _descendants(browser_pid) if "--type=renderer" in " ".join(args))


def test_it_launches_chromium_with_one_renderer_per_test_and_keeps_playwrights_switches(engine, site):
    browser = engine._pool.get()
    # Other fixtures of this process may have launched Chromiums too: look at all of them and
    # find ours as the one that gains renderers when our browser opens a page.
    launched = {pid: args for pid, args in _descendants(os.getpid())
                if "--remote-debugging-pipe" in args and not any(a.startswith("--type=") for a in args)}
    assert launched, "no Chromium browser process found under this test process"
    before = {pid: _renderers(pid) for pid in launched}
    context = browser.new_context()
    try:
        context.new_page().goto(f"{site}index.html")
        time.sleep(0.5)  # a spare renderer, when enabled, starts just after the navigation
        grew = {pid: _renderers(pid) - before[pid] for pid in launched if _renderers(pid) != before[pid]}
    finally:
        context.close()
    assert list(grew.values()) == [1], f"new renderers per browser process: {grew}"
    args = launched[next(iter(grew))]
    lists = [set(a.split("=", 1)[1].split(",")) for a in args if a.startswith("--disable-features=")]
    # Chromium honours only the last --disable-features: ours must still carry Playwright's list.
    assert lists[0] <= lists[-1], f"Playwright disables features we drop: {sorted(lists[0] - lists[-1])}"
    assert set(browser_module.LEAN_DISABLED_FEATURES) <= lists[-1]
