"""One Playwright driver and one browser per process, launched once and reused.

A browser launch costs ~0.5-1 s, a new context a few ms: tests get a fresh context each, the
browser stays warm. Sync API only (RQ workers and the CLI are sync; parallel runs use processes).
The pool notices a fork (different pid) and a dead browser, and relaunches.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from traceiq_app.engine.errors import BrowserNotAvailable

log = logging.getLogger(__name__)

BROWSERS = ("chromium", "firefox", "webkit")
SYSTEM_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Chromium's headless shell (Debian's `chromium-headless-shell`, what Playwright itself runs for
# headless Chromium): same engine without the browser UI. It launches in about half the time and
# renders its first page in about half the time of the full browser in headless mode
# (bench/bench_footprint.py: the first test after an idle close), and takes less memory.
SYSTEM_HEADLESS_SHELL = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell")
# Playwright's own --disable-features list (playwright-core chromiumSwitches.ts). Chromium keeps
# only the last --disable-features switch it is given, so ours must repeat Playwright's;
# tests/engine/test_engine_browser.py fails when a Playwright upgrade changes that list.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin",
    "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
    "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)
# Chromium 15x preloads the omnibox popup's WebUI pages and a spare renderer for every browser
# context, even headless: three renderer processes per test where one does the work. Turning
# them off halves Chromium's CPU time per test (bench/bench_exec.py), which on a small machine
# is most of a test's wall time.
# AutofillServerCommunication: a page with a form made Chromium ask content-autofill.googleapis.com
# for field types; under a project's allowlist the egress proxy refused it and failed the step
# (tests/security/test_it_fills_forms_under_an_allowlist.py), and no test should call Google.
LEAN_DISABLED_FEATURES = (
    "WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup", "SpareRendererForSitePerProcess",
    "AutofillServerCommunication",
)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + LEAN_DISABLED_FEATURES),
]
CHROMIUM_PATH_ENV = "TRACEIQ_CHROMIUM_PATH"


def _driver_package() -> Path:
    import playwright

    return Path(playwright.__file__).parent / "driver" / "package"


def browsers_path() -> Path:
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env and env != "0":
        return Path(env)
    return Path.home() / ".cache" / "ms-playwright"


def ensure_ffmpeg() -> Path | None:
    """Make Playwright's video recorder find an ffmpeg.

    Playwright has no option for the ffmpeg path; it looks for its own download at
    <browsers>/ffmpeg-<rev>/ffmpeg-linux. We symlink the system ffmpeg there when missing.
    Returns the path Playwright will use, or None when no ffmpeg is available.
    """
    try:
        browsers = json.loads((_driver_package() / "browsers.json").read_text())["browsers"]
        rev = next(b["revision"] for b in browsers if b["name"] == "ffmpeg")
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    target = browsers_path() / f"ffmpeg-{rev}" / "ffmpeg-linux"
    if target.exists():
        return target
    system = shutil.which("ffmpeg")
    if not system:
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(system)
    except FileExistsError:
        pass  # another process won the race: same result
    except OSError as exc:
        log.warning("cannot link %s to %s: %s", system, target, exc)
        return None
    return target


def _install_hint(name: str) -> str:
    if name == "chromium":
        return (
            "Chromium was not found: install it with `apt-get install chromium` (or "
            "`playwright install chromium`), or set TRACEIQ_CHROMIUM_PATH to its executable"
        )
    return (
        f"{name.capitalize()} is not installed for Playwright: run `playwright install {name}` "
        f"(and `playwright install-deps {name}` for its system libraries)"
    )


_TRACES_DIRS: dict[int, Path] = {}


def traces_dir_of(browser: Browser | None) -> Path | None:
    """The folder where `browser` keeps raw trace chunks (ours, one per launched browser)."""
    return _TRACES_DIRS.get(id(browser)) if browser is not None else None


def discard_trace_files(browser: Browser | None, name: str) -> None:
    """Delete what a finished trace left in the browser's traces folder: its own chunk files
    and, once no other trace of that browser is being recorded, the shared resources and
    screencast frames. Playwright keeps them until the browser closes, so a warm worker's folder
    grew with every test, passed ones included."""
    folder = traces_dir_of(browser)
    if folder is None or not folder.is_dir():
        return
    for path in folder.glob(f"{name}*"):
        if path.is_file():
            path.unlink(missing_ok=True)
    if not any(folder.glob("*.trace")):
        for shared in ("resources", "screencast"):
            shutil.rmtree(folder / shared, ignore_errors=True)


class WarmBrowser:
    """Lazily launched browser of one kind, relaunched when it died or the process forked."""

    def __init__(self, playwright: Playwright, name: str = "chromium", executable_path: str | None = None,
                 headless: bool = True) -> None:
        if name not in BROWSERS:
            raise BrowserNotAvailable(f"unknown browser {name!r} (use one of {', '.join(BROWSERS)})")
        self._pw = playwright
        self.name = name
        self._executable_path = executable_path
        self._headless = headless
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():
            self._browser = self._launch()
        return self._browser

    def is_open(self) -> bool:
        return self._browser is not None

    def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError):  # already gone
                self._browser.close()
            folder = _TRACES_DIRS.pop(id(self._browser), None)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            self._browser = None

    def _launch(self) -> Browser:
        if self.name != "chromium":
            return self._launch_with(getattr(self._pw, self.name), None)
        return self._launch_with(self._pw.chromium, self._chromium_executable())

    def _chromium_executable(self) -> str | None:
        """Explicit path > TRACEIQ_CHROMIUM_PATH > Playwright's own download > the system's
        headless shell (headless only) > system Chromium."""
        explicit = self._executable_path or os.environ.get(CHROMIUM_PATH_ENV)
        if explicit:
            if not Path(explicit).exists():
                raise BrowserNotAvailable(
                    f"Chromium not found at {explicit}: fix {CHROMIUM_PATH_ENV} (or the configured path), "
                    "or install it with `apt-get install chromium`"
                )
            return explicit
        managed = self._pw.chromium.executable_path
        if Path(managed).exists():
            # Named explicitly: in headless mode Playwright would otherwise want its separate
            # headless-shell download, which may be missing.
            return managed
        candidates = (SYSTEM_HEADLESS_SHELL if self._headless else ()) + SYSTEM_CHROMIUM
        for path in candidates:
            if Path(path).exists():
                return path
        raise BrowserNotAvailable(_install_hint("chromium"))

    def _launch_with(self, browser_type: Any, executable: str | None) -> Browser:
        kwargs: dict[str, Any] = {"headless": self._headless}
        if browser_type.name == "chromium":
            kwargs["args"] = CHROMIUM_ARGS
        if executable:
            kwargs["executable_path"] = executable
        traces = Path(tempfile.mkdtemp(prefix="tiq-traces-"))
        kwargs["traces_dir"] = str(traces)
        try:
            browser = browser_type.launch(**kwargs)
            _TRACES_DIRS[id(browser)] = traces
            return browser
        except PlaywrightError as exc:
            shutil.rmtree(traces, ignore_errors=True)
            text = str(exc)
            if "Executable doesn't exist" in text or "missing dependencies" in text:
                raise BrowserNotAvailable(_install_hint(self.name)) from None
            first = text.strip().splitlines()[0] if text.strip() else repr(exc)
            raise BrowserNotAvailable(f"{self.name} failed to start: {first}") from None


class _Driver:
    """The one Playwright driver of this process, shared by every pool (sync API: one per thread
    at most, and the CLI, a worker and the tests may each build an Engine)."""

    pid: int | None = None
    users = 0
    context_manager: Any = None
    playwright: Playwright | None = None

    @classmethod
    def acquire(cls) -> Playwright:
        if cls.pid != os.getpid():
            # Forked child: the parent's driver pipes are not ours. Forget them, never close them.
            cls.pid, cls.users, cls.context_manager, cls.playwright = os.getpid(), 0, None, None
        if cls.playwright is None:
            cls.context_manager = sync_playwright()
            cls.playwright = cls.context_manager.start()
        cls.users += 1
        return cls.playwright

    @classmethod
    def release(cls) -> None:
        if cls.pid != os.getpid() or cls.users == 0:
            return
        cls.users -= 1
        if cls.users == 0 and cls.context_manager is not None:
            try:
                cls.context_manager.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - shutting down; nothing useful to report
                log.debug("playwright stop failed", exc_info=True)
            cls.context_manager, cls.playwright = None, None


class BrowserPool:
    """One WarmBrowser per browser kind, on the process-wide Playwright driver."""

    def __init__(self, executable_path: str | None = None, headless: bool = True) -> None:
        self._executable_path = executable_path
        self._headless = headless
        self._pid: int | None = None
        self._pw: Playwright | None = None
        self._browsers: dict[str, WarmBrowser] = {}

    def get(self, name: str = "chromium") -> Browser:
        if self._pid is not None and self._pid != os.getpid():
            self._pw, self._browsers = None, {}  # inherited through fork: unusable here
        if self._pw is None:
            self._pw = _Driver.acquire()
            self._pid = os.getpid()
        if name not in self._browsers:
            self._browsers[name] = WarmBrowser(self._pw, name, self._executable_path, self._headless)
        return self._browsers[name].get()

    def has_open_browser(self) -> bool:
        return any(warm.is_open() for warm in self._browsers.values())

    def open_browsers(self) -> list[str]:
        """The kinds of browser currently launched (e.g. ["chromium"])."""
        return [name for name, warm in self._browsers.items() if warm.is_open()]

    def close_browsers(self) -> None:
        """Close the browsers but keep the Playwright driver: the next `get` relaunches one
        (~0.5 s) without restarting the driver (idle workers give their memory back)."""
        if self._pw is None or self._pid != os.getpid():
            return
        for warm in self._browsers.values():
            warm.close()

    def close(self) -> None:
        if self._pw is None or self._pid != os.getpid():
            return
        for warm in self._browsers.values():
            warm.close()
        self._browsers, self._pw = {}, None
        _Driver.release()
