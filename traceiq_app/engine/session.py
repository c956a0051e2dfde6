"""The browser-side state of one running test: context, pages, current page/frame, dialog
policy, what the test may reach, step deadline. Actions read and change it; the runner owns its lifetime."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import (
    BrowserContext,
    CDPSession,
    ConsoleMessage,
    Dialog,
    Frame,
    Page,
    ProxySettings,
    Request,
    Response,
    Route,
    WebSocket,
)
from playwright.sync_api import Error as PlaywrightError

from traceiq_app.engine import locators, waiting
from traceiq_app.engine.aria import AriaResolver
from traceiq_app.engine.egress import CONNECT_ERRORS, EgressProxy
from traceiq_app.engine.errors import BrowserCrashed, StepFailed
from traceiq_app.engine.evidence import Capture, Evidence
from traceiq_app.engine.healing import slot_key
from traceiq_app.engine.healing.fingerprint import FINGERPRINT_JS
from traceiq_app.engine.model import Locator, TestDefinition
from traceiq_app.engine.netpolicy import DEFAULT_PORTS, NetPolicy, proxy_bypass, route_pattern
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.urls import resolve_url, url_matches
from traceiq_app.engine.variables import Variables

_LOCAL_RESOURCE = "Not allowed to load local resource:"
_SOCKS_ERROR = "net::ERR_SOCKS_CONNECTION_FAILED"
_SOCKS_RE = re.compile(re.escape(_SOCKS_ERROR))
_UNSAFE_REDIRECT_RE = re.compile(r"net::ERR_UNSAFE_REDIRECT at (\S+)")


def _describe(request: Request) -> str:
    """How a blocked request reads: 'navigation to URL', 'frame navigation to URL',
    'request to URL (image)'."""
    if request.resource_type == "document":
        try:
            top = request.frame.parent_frame is None
        except PlaywrightError:
            top = True
        return f"{'navigation' if top else 'frame navigation'} to {request.url}"
    return f"request to {request.url} ({request.resource_type})"


def goto_urls(test: TestDefinition, options: RunOptions, variables: Variables) -> list[str]:
    """The URLs the test's goto steps open, as goto resolves them (those it can resolve now)."""
    urls: list[str] = []
    for step in test.steps:
        raw = getattr(step, "url", None) if step.action == "goto" else None
        if isinstance(raw, str):
            try:
                urls.append(resolve_url(variables.substitute(raw), options.base_url, test.base_url))
            except Exception:  # noqa: BLE001 - unknown variable, relative URL...: decided per request
                continue
    return urls


def guard_pattern(test: TestDefinition, options: RunOptions, variables: Variables,
                  policy: NetPolicy) -> str | re.Pattern[str]:
    """The URLs the guard route intercepts: all but the origins of the test's goto URLs that the
    policy allows whatever the path (netpolicy.route_pattern)."""
    return route_pattern(goto_urls(test, options, variables), policy)


def proxy_settings(server: str, test: TestDefinition, options: RunOptions, variables: Variables,
                   policy: NetPolicy) -> ProxySettings:
    """The context's proxy: the run's egress proxy, bypassed only for the test's own address
    literals that it would always let through (netpolicy.proxy_bypass)."""
    settings: ProxySettings = {"server": server}
    bypass = proxy_bypass(goto_urls(test, options, variables), policy)
    if bypass:
        settings["bypass"] = bypass
    return settings


class Session:
    def __init__(self, context: BrowserContext, browser_name: str, test: TestDefinition, options: RunOptions,
                 variables: Variables, evidence: Evidence, capture: Capture, source_dir: Any,
                 policy: NetPolicy | None = None, egress: EgressProxy | None = None, routed: bool = False) -> None:
        self.context = context
        self.browser_name = browser_name
        self.test = test
        self.options = options
        self.vars = variables
        self.mask = variables.masker
        self.evidence = evidence
        self.capture = capture
        self.source_dir = source_dir
        self.pages: list[Page] = []  # every page opened, in order (for videos)
        self.main_page: Page | None = None
        self.page: Page | None = None  # the page steps act on
        self.frame: Frame | None = None  # set by switch_frame
        self.step_page: Page | None = None  # per-step override from the step's `page` field
        self.dialog_accept = False
        self.prompt_text: str | None = None
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.locator_used: list[str] = []
        self.lazy: list[locators.Resolved] = []  # this step's targets not waited for (see locators)
        self.deadline = 0.0
        self.step_index = 0
        self.step_screenshot: str | None = None  # set by the screenshot action
        self.cdp_sessions: dict[Page, CDPSession] = {}  # emulate_network, kept alive per page
        self.policy = policy or NetPolicy(options.allowed_hosts, options.allow_link_local, options.deny_private)
        self.egress = egress
        self.fenced: list[str] = []  # connections the egress proxy refused (its threads append)
        self._escaped: list[Page] = []  # pages that reached a URL they must not show
        self.aria = AriaResolver(context, browser_name)  # aria locators; CDP for recorded clicks
        # Healing (engine/healing), reset per step by the runner (start_step).
        self.healing = options.healing
        self.slot_n = 0  # targets resolved so far in this step
        self.targets: dict[str, list[Locator]] = {}  # slot -> the target as written (substituted)
        self.overrides: dict[str, list[Locator]] = {}  # slot -> healed target for the step's retry
        self.fresh_fps: dict[str, dict[str, Any]] = {}  # fingerprints recorded in this step
        self.missing_slot: str | None = None  # the slot whose element was not found
        context.on("page", self._on_page)
        if not routed:  # routed: the context came with a route that calls _guard (engine/warmup.py)
            context.route(guard_pattern(test, options, variables, self.policy), self._guard)

    # ---- pages ------------------------------------------------------------------------
    def open_main_page(self) -> Page:
        page = self.context.new_page()  # _on_page registers it
        self.main_page = self.page = page
        self.frame = None
        return page

    def adopt_main_page(self, page: Page) -> Page:
        """The context came with its first page (engine/warmup.py): make it the main page."""
        self._on_page(page)
        self.main_page = self.page = page
        self.frame = None
        return page

    def _on_page(self, page: Page) -> None:
        self.pages.append(page)
        self.capture.attach(page)
        page.on("dialog", self._on_dialog)
        page.on("request", self._watch_request)
        page.on("response", self._watch_response)
        page.on("websocket", self._watch_websocket)
        page.on("framenavigated", self._watch_frame)
        page.on("console", self._watch_console)

    @property
    def current_page(self) -> Page:
        page = self.step_page or self.page
        if page is None or page.is_closed():
            if not self.browser_alive():
                raise BrowserCrashed("the browser crashed or was closed")
            raise StepFailed("no open page (it was closed by an earlier step); use goto to open one")
        return page

    @property
    def scope(self) -> Page | Frame:
        if self.step_page is not None:
            return self.step_page
        if self.frame is not None:
            if self.frame.is_detached():
                raise StepFailed("the frame chosen by switch_frame is gone (removed or navigated away)")
            return self.frame
        return self.current_page

    def browser_alive(self) -> bool:
        browser = self.context.browser
        return browser is not None and browser.is_connected()

    def open_pages(self) -> list[Page]:
        return [p for p in self.context.pages if not p.is_closed()]

    def find_page(self, url: str | None, exclude_main: bool) -> Page:
        """Wait for an open page whose URL matches (newest first), or the newest popup."""
        pattern = self.expected_url(url) if url else None
        while True:
            for page in reversed(self.open_pages()):
                if exclude_main and page is self.main_page:
                    continue
                if pattern is None or url_matches(pattern, page.url):
                    return page
            if self.remaining_ms() <= 1:
                seen = ", ".join(p.url for p in self.open_pages()) or "none"
                wanted = f"a page at {pattern}" if pattern else "a popup"
                raise StepFailed(f"{wanted} did not open (open pages: {seen})")
            self.wait_a_moment()

    def wait_a_moment(self) -> None:
        # Only for short polls; keeps Playwright's event loop (dialogs, new pages) running.
        waiter = self.main_page if self.main_page and not self.main_page.is_closed() else None
        waiter = waiter or next(iter(self.open_pages()), None)
        ms = min(50.0, self.remaining_ms())
        if waiter is not None:
            waiter.wait_for_timeout(ms)
        else:
            time.sleep(ms / 1000)

    # ---- dialogs ----------------------------------------------------------------------
    def _on_dialog(self, dialog: Dialog) -> None:
        # Dismissed unless handle_dialog said otherwise: an unhandled dialog would hang the page.
        self.dialogs.append(self.mask(f"{dialog.type}: {dialog.message}"))
        try:
            if dialog.type == "beforeunload" or self.dialog_accept:
                if dialog.type == "prompt":
                    text = self.prompt_text if self.prompt_text is not None else dialog.default_value
                    dialog.accept(text)
                else:
                    dialog.accept()
            else:
                dialog.dismiss()
        except PlaywrightError:
            pass  # page closed meanwhile

    # ---- what the test may reach (netpolicy.py; egress.py is the fence underneath) -------
    def _guard(self, route: Route) -> None:
        request = route.request
        problem = self.policy.url_problem(request.url, resolve=True)
        if problem is None:
            route.fallback()
            return
        self.blocked.append(f"{_describe(request)} blocked: {problem}")
        route.abort("blockedbyclient")

    def _watch_request(self, request: Request) -> None:
        # Routes never see the target of a server-side redirect; the egress proxy refuses its
        # connection, and this names it.
        source = request.redirected_from
        if source is not None:
            self._check_redirect(source.url, request.url)

    def _watch_response(self, response: Response) -> None:
        # A redirect Chromium refuses by itself (to file:, ERR_UNSAFE_REDIRECT) makes no request.
        if 300 <= response.status < 400:
            location = response.headers.get("location")
            if location:
                self._check_redirect(response.url, urljoin(response.url, location))

    def _check_redirect(self, source: str, target: str) -> None:
        problem = self.policy.url_problem(target, resolve=True)
        if problem is None:
            return
        verb = "left the allowlist" if problem.endswith("is not in the project's allowlist") else "blocked"
        message = f"redirect from {source} to {target} {verb}: {problem}"
        if message not in self.blocked:
            self.blocked.append(message)

    def _watch_websocket(self, ws: WebSocket) -> None:
        # Not routed (route_web_socket would replace window.WebSocket in every page with
        # Playwright's shim); the egress proxy refuses the connection, this names it.
        problem = self.policy.url_problem(ws.url, resolve=True)
        if problem is not None:
            self.blocked.append(f"websocket to {ws.url} blocked: {problem}")

    def _watch_frame(self, frame: Frame) -> None:
        # Chromium itself refuses file: and chrome: URLs to web pages; a page that got there
        # anyway is reported and taken back to about:blank before any screenshot.
        url = frame.url
        if url.startswith("chrome-error:"):
            return
        problem = self.policy.url_problem(url)
        if problem is not None:
            self.blocked.append(f"navigation to {url} blocked: {problem}")
            self._escaped.append(frame.page)

    def _watch_console(self, message: ConsoleMessage) -> None:
        # How Chromium reports a page's own attempt to open a local file (window.location,
        # window.open, an <iframe src>): the navigation never starts, so no route sees it.
        text = message.text
        if message.type == "error" and text.startswith(_LOCAL_RESOURCE):
            url = text[len(_LOCAL_RESOURCE):].strip()
            self.blocked.append(f"navigation to {url} blocked: {self.policy.url_problem(url) or 'not allowed'}")

    def on_fence_block(self, message: str) -> None:
        """Called by the egress proxy's threads (list.append is atomic)."""
        self.fenced.append(message)

    def check_url_allowed(self, url: str) -> None:
        problem = self.policy.url_problem(url, resolve=True)
        if problem is not None:
            raise StepFailed(f"navigation to {url} blocked: {problem}")

    def take_blocked(self) -> str | None:
        """The first block since the last call (a request named by URL before a bare
        connection refused by the proxy); clears both lists."""
        if self.fenced and not self.blocked:
            # The proxy's thread is faster than the browser's events: give the event naming the
            # URL (a redirect, a frame) a moment to arrive (up to 1 s on a loaded machine; this is
            # the failure path only).
            page = self.main_page if self.main_page and not self.main_page.is_closed() else None
            with contextlib.suppress(PlaywrightError):
                for _ in range(10):
                    if page is None or self.blocked:
                        break
                    page.wait_for_timeout(100)
        message = self.blocked[0] if self.blocked else self.fenced[0] if self.fenced else None
        self.blocked, self.fenced = [], []
        for page in self._escaped:
            with contextlib.suppress(PlaywrightError):
                if not page.is_closed():
                    page.goto("about:blank", timeout=2_000)
        self._escaped = []
        return message

    def raise_if_blocked(self) -> None:
        message = self.take_blocked()
        if message is not None:
            raise StepFailed(message)

    def explain_network_error(self, text: str) -> str:
        """Name the real cause of a network error: the browser only says the proxy failed (the
        proxy knows why: refused, no such host) or that a redirect was unsafe."""
        unsafe = _UNSAFE_REDIRECT_RE.search(text)
        if unsafe:  # Chromium refused a redirect to file:, chrome:... without a response event
            return (f"redirect from {unsafe.group(1)} blocked: it led to a URL that is not http(s) "
                    "(only http and https URLs are allowed)")
        if self.egress is None or _SOCKS_ERROR not in text:
            return text
        match = re.search(_SOCKS_ERROR + r" at (\S+)", text)
        return _SOCKS_RE.sub(lambda m: self._real_error(match.group(1) if match else ""), text)

    def _real_error(self, url: str) -> str:
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
            host = parts.hostname or ""
        except ValueError:
            return _SOCKS_ERROR
        shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        failure = self.egress.failures.get(shown) if self.egress else None
        return CONNECT_ERRORS.get(failure or "", _SOCKS_ERROR)

    # ---- URLs -------------------------------------------------------------------------
    def url(self, url: str) -> str:
        return resolve_url(url, self.options.base_url, self.test.base_url)

    def expected_url(self, url: str) -> str:
        """Expected URLs are resolved and rebased like goto's; globs are left alone."""
        if "*" in url:
            return url
        try:
            return self.url(url)
        except StepFailed:
            return url  # relative with no base: compare as written

    # ---- time and locators ------------------------------------------------------------
    def remaining_ms(self) -> float:
        return max((self.deadline - time.monotonic()) * 1000, 1.0)

    def start_step(self, index: int) -> None:
        self.step_index, self.locator_used, self.dialogs, self.step_screenshot, self.lazy = index, [], [], None, []
        self.slot_n, self.targets, self.overrides, self.fresh_fps, self.missing_slot = 0, {}, {}, {}, None

    def resolve(self, target: list[Locator], lazy: bool = True,
                probe: Callable[[Any], Any] | None = None) -> locators.Resolved:
        """lazy (default): a single-alternative target is left to the action's auto-waiting;
        failures are explained by `missing_error` (the runner does it for Playwright errors).
        probe: see locators.resolve (not used while fingerprints are recorded: they are taken
        before the action touches the element)."""
        slot = slot_key(self.step_index, self.slot_n)
        self.slot_n += 1
        self.targets.setdefault(slot, target)
        target = self.overrides.get(slot, target)
        if self.healing is not None and self.healing.record:
            probe = None
        try:
            found = locators.resolve(self.scope, self.current_page, target, self.remaining_ms(), lazy=lazy,
                                     aria=self.aria, probe=probe)
        except StepFailed as exc:
            if str(exc).startswith("no element matches"):
                self.missing_slot = slot
            raise
        found.slot = slot
        self.locator_used.append(found.described)
        if found.lazy_ms is not None:
            self.lazy.append(found)
        if self.healing is not None and self.healing.record and slot not in self.overrides:
            self._record(slot, target, found)
        return found

    def _record(self, slot: str, target: list[Locator], found: locators.Resolved) -> None:
        """Fingerprint the element now (before the action changes the page), but only when the
        store has none for this slot or it was recorded for another locator: a warm store costs
        no round trip. A lazily resolved element is waited for here (the action then finds it
        at once); when it never comes, the action fails as it would have."""
        described = self.mask(locators.describe_target(target))
        stored = self.healing.fingerprints.get(slot) if self.healing else None
        if stored is not None and stored.get("locator") == described:
            return
        try:
            fp = found.element.evaluate(FINGERPRINT_JS, timeout=self.remaining_ms())
        except PlaywrightError:
            return
        if isinstance(fp, dict):
            fp["locator"] = described
            self.fresh_fps[slot] = fp

    def missing_error(self) -> str | None:
        """Why this step's action failed when a lazily resolved target matches nothing."""
        for found in self.lazy:
            error = found.missing_error()
            if error is not None:
                self.missing_slot = found.slot
                return error
        return None

    def until(self, check: Callable[[], bool], target: list[Locator] | None = None,
              watch: waiting.Watch | None = None) -> bool:
        """check() now and again each time the page changes, until it is true (True) or the step's
        time is up (False). `target`: what check() looks at (its frames are watched); None: the
        page itself (URL, title)."""
        page = self.current_page
        frames = waiting.frames_for(page if target is None else self.scope, page, target or ())
        return waiting.until(page, frames, check, self.deadline, watch)

    def resolve_optional(self, target: list[Locator], check: bool = True) -> locators.Resolved:
        found = locators.maybe_resolve(self.scope, self.current_page, target, aria=self.aria, check=check)
        self.locator_used.append(found.described)
        return found
