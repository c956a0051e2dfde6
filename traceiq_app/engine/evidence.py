"""Files kept for a test run (trace, screenshots, video) and per-step browser diagnostics
(console errors, failed requests). Everything lands in <artifacts_dir>/<safe test name>/."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator

from traceiq_app.engine.browser import discard_trace_files, ensure_ffmpeg
from traceiq_app.engine.results import Reporter, RunOptions
from traceiq_app.engine.variables import MASK, Masker

log = logging.getLogger(__name__)


def safe_name(name: str, masker: Masker | None = None, default: str = "test") -> str:
    """A file or folder name from user text. Secrets are masked first (a label written as
    `shot-${API_KEY}` gives `shot-masked`, never the key), then anything but [A-Za-z0-9._-]."""
    if masker is not None:
        name = masker(name)
    name = name.replace(MASK, "masked")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")
    return cleaned[:80] or default


def _unique_dir(root: Path, name: str) -> Path:
    # mkdir without exist_ok is atomic: parallel processes running same-named tests never share.
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = root / (name if n == 1 else f"{name}-{n}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"too many artifact folders named {name} in {root}")


class Evidence:
    """Creates, names and reports artifact files for one test."""

    def __init__(self, options: RunOptions, test_name: str, reporter: Reporter) -> None:
        self.options = options
        self.reporter = reporter
        self.dir: Path | None = None
        if options.artifacts_dir is not None:
            self.dir = _unique_dir(Path(options.artifacts_dir), safe_name(test_name))
        self.artifacts: dict[str, Any] = {}
        self.tracing = False
        self.trace_name = ""

    @property
    def keeps_files(self) -> bool:
        return self.dir is not None

    @property
    def video_mode(self) -> str:
        video = self.options.video
        return "on" if video is True else "off" if video is False or not video else str(video)

    def context_options(self) -> dict[str, Any]:
        if self.dir is None or self.video_mode == "off":
            return {}
        if ensure_ffmpeg() is None:
            log.warning("video requested but no ffmpeg found (apt-get install ffmpeg); recording none")
            return {}
        return {"record_video_dir": str(self.dir / ".video")}

    def start_tracing(self, context: BrowserContext) -> None:
        if self.dir is None or self.options.trace == "off":
            return
        self.trace_name = f"tiq-{uuid.uuid4().hex}"
        context.tracing.start(name=self.trace_name, screenshots=True, snapshots=True, sources=False)
        self.tracing = True

    def stop_tracing(self, context: BrowserContext, failed: bool, masker: Masker | None = None) -> None:
        if not self.tracing or self.dir is None:
            return
        self.tracing = False
        keep = self.options.trace == "on" or failed
        try:
            if keep:
                path = self.dir / "trace.zip"
                context.tracing.stop(path=str(path))
                if masker is not None and masker.values:
                    mask_zip(path, masker)
                self.add("trace", path)
            else:
                context.tracing.stop()
        except PlaywrightError as exc:
            log.warning("could not save the trace: %s", exc)
        finally:
            discard_trace_files(context.browser, self.trace_name)

    def screenshot(self, page: Page | None, filename: str, kind: str, *, full_page: bool = False,
                   element: PWLocator | None = None, many: bool = True) -> str | None:
        """Best effort: a closed page or crashed browser must not hide the real failure."""
        if self.dir is None or page is None or page.is_closed():
            return None
        path = self.dir / filename
        try:
            if element is not None:
                element.screenshot(path=str(path), timeout=5_000)
            else:
                page.screenshot(path=str(path), full_page=full_page, timeout=5_000)
        except PlaywrightError as exc:
            log.info("screenshot %s failed: %s", filename, exc)
            return None
        self.add(kind, path, many=many)
        return str(path)

    def collect_videos(self, pages: list[Page], failed: bool = False) -> None:
        """After the context closed: move each page's video to video.webm, video-2.webm...
        (video mode "failures": only for a failed test; the recordings are deleted otherwise)."""
        if self.dir is None:
            return
        keep = self.video_mode == "on" or (self.video_mode == "failures" and failed)
        n = 0
        for page in pages:
            video = page.video
            if video is None:
                continue
            if not keep:
                with contextlib.suppress(PlaywrightError):
                    video.delete()
                continue
            n += 1
            path = self.dir / ("video.webm" if n == 1 else f"video-{n}.webm")
            try:
                video.save_as(str(path))
                video.delete()
            except PlaywrightError as exc:
                log.warning("could not save the video: %s", exc)
                continue
            self.add("video", path, many=n > 1)
        tmp = self.dir / ".video"
        if tmp.is_dir() and not any(tmp.iterdir()):
            tmp.rmdir()

    def finish(self) -> None:
        """Remove the test's folder when nothing was kept (a passing test with trace=failures)."""
        if self.dir is not None and self.dir.is_dir() and not any(self.dir.iterdir()):
            self.dir.rmdir()

    def add(self, kind: str, path: Path, many: bool = False) -> None:
        if many:
            existing = self.artifacts.get(kind)
            if existing is None:
                self.artifacts[kind] = [str(path)]
            elif isinstance(existing, list):
                existing.append(str(path))
            else:
                self.artifacts[kind] = [existing, str(path)]
        else:
            self.artifacts[kind] = str(path)
        self.reporter.artifact(kind, path)


_BINARY_SUFFIXES = (".png", ".jpeg", ".jpg", ".webp", ".gif", ".woff", ".woff2", ".ttf", ".ico", ".zip")


def mask_zip(path: Path, masker: Masker) -> None:
    """Mask secrets inside a trace: the action log records typed values (`fill "hunter2"`) and
    DOM snapshots record input values. Screenshots and binary resources are left as they are."""
    tmp = path.with_suffix(".masking")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if not info.filename.lower().endswith(_BINARY_SUFFIXES):
                data = _mask_bytes(data, masker)
            dst.writestr(info, data)
    tmp.replace(path)


def _mask_bytes(data: bytes, masker: Masker) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    masked = masker(text)
    # Inside JSON a secret with quotes or backslashes appears escaped.
    for value in masker.values:
        escaped = json.dumps(value)[1:-1]
        if escaped != value:
            masked = masked.replace(escaped, MASK)
    return masked.encode("utf-8") if masked != text else data


class Capture:
    """Console errors and failed requests, attributed to the step running when they arrive."""

    def __init__(self, masker: Masker) -> None:
        self._mask = masker
        self.console: list[str] = []
        self.network: list[str] = []
        # Requests already reported by their 4xx/5xx status: Chromium then often aborts the
        # body of a failed script or stylesheet (net::ERR_ABORTED), which is the same failure.
        self._answered_with_error: set[int] = set()
        self.explain: Callable[[str], str] = lambda text: text  # names the real network error

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def take(self) -> tuple[list[str], list[str]]:
        console, network = self.console, self.network
        self.console, self.network = [], []
        return console, network

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium also logs every 4xx/5xx as "Failed to load resource"; network_errors has those.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(self._mask(message.text))

    def _on_page_error(self, error: Any) -> None:
        self.console.append(self._mask(f"uncaught {error}"))

    def _on_request_failed(self, request: Request) -> None:
        if id(request) in self._answered_with_error:
            return
        failure = request.failure or "failed"
        text = self.explain(f"{failure} at {request.url}").rsplit(" at ", 1)[0]
        self.network.append(self._mask(f"{request.method} {request.url} failed: {text}"))

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            request = response.request
            self._answered_with_error.add(id(request))
            self.network.append(self._mask(f"{response.status} {request.method} {response.url}"))
