"""The worker process's warm browsers: one `BrowserPool` per process (the worker executes jobs
in-process, see `traceiq_app.processes.worker`), so the browser survives from test to test; the
engine opens a fresh context per test and relaunches a browser that died. An idle worker closes
its browsers and the Playwright driver (a Node.js process of ~120 MB; TRACEIQ_BROWSER_IDLE_KEEP_DRIVER
keeps the driver) after TRACEIQ_BROWSER_IDLE_SECONDS (`close_idle_browsers`); the next test starts them again (early,
overlapping its claim: services/runs/relaunch.py)."""

from __future__ import annotations

import logging
import os
import time

from traceiq_app.engine.browser import BrowserPool
from traceiq_app.engine.runner import Engine
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)


class WarmEngines:
    """One browser pool per process, one Engine per browser kind on it."""

    def __init__(self, warm: bool = True) -> None:
        settings = get_settings()
        self.warm = warm
        self.pid = os.getpid()
        self.pool = BrowserPool(executable_path=settings.chromium_path)
        self.last_used = time.monotonic()
        self.idle_closed: list[str] = []  # the browser kinds the last idle close shut
        self._engines: dict[str, Engine] = {}

    def engine(self, browser: str) -> Engine:
        if browser not in self._engines:
            self._engines[browser] = Engine(browser=browser, pool=self.pool)
        return self._engines[browser]

    def relaunch_kinds(self) -> list[str]:
        """The browsers to relaunch early for the next test: those an idle close shut, when
        none is open now (a warm worker or cold mode launches nothing early)."""
        if not self.warm or not get_settings().browser_early_relaunch or self.pool.has_open_browser():
            return []
        return list(self.idle_closed)

    def after_test(self) -> None:
        self.last_used = time.monotonic()
        if not self.warm:  # cold mode: a browser launch per test (bench comparison)
            self.pool.close()

    def close_if_idle(self, idle_seconds: float) -> bool:
        """Close the warm browsers and the Playwright driver after `idle_seconds` without a test
        (0: never). Call from the thread that runs the tests (Playwright's sync API is bound to it)."""
        if idle_seconds <= 0 or time.monotonic() - self.last_used < idle_seconds:
            return False
        if not self.pool.has_open_browser():
            return False
        self.idle_closed = self.pool.open_browsers()
        if get_settings().browser_idle_keep_driver:
            self.pool.close_browsers()
        else:
            self.pool.close()  # the next `get` starts the driver again (~0.5 s) and relaunches
        log.info("closed the idle browser after %.0f s without a test", idle_seconds)
        return True

    def close(self) -> None:
        self.pool.close()
        self._engines = {}


_engines: WarmEngines | None = None


def engines() -> WarmEngines:
    global _engines
    if _engines is None or _engines.pid != os.getpid():
        _engines = WarmEngines(warm=get_settings().warm_browsers)
    return _engines


def close_idle_browsers() -> bool:
    """The worker's idle loop: close this process's browsers once idle long enough."""
    if _engines is None or _engines.pid != os.getpid():
        return False
    return _engines.close_if_idle(get_settings().browser_idle_seconds)


def close_engines() -> None:
    global _engines
    if _engines is not None and _engines.pid == os.getpid():
        _engines.close()
    _engines = None
