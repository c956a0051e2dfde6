"""The browser-side state of one running test: context, pages, current page/frame, dialog
policy, allowlist, step deadline. Actions read and change it; the runner owns its lifetime."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Dialog, Frame, Page, Request, Route
from playwright.sync_api import Error as PlaywrightError

from traceiq_app.engine import locators
from traceiq_app.engine.aria import AriaResolver
from traceiq_app.engine.errors import BrowserCrashed, StepFailed
from traceiq_app.engine.evidence import Capture, Evidence
from traceiq_app.engine.model import Locator, TestDefinition
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.urls import blocked_message, host_allowed, redirect_message, resolve_url, url_matches
from traceiq_app.engine.variables import Variables


class Session:
    def __init__(self, context: BrowserContext, browser_name: str, test: TestDefinition, options: RunOptions,
                 variables: Variables, evidence: Evidence, capture: Capture, source_dir: Any) -> None:
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
        self.aria = AriaResolver(context, browser_name)  # aria locators; CDP for recorded clicks
        context.on("page", self._on_page)
        if options.allowed_hosts is not None:
            context.route("**/*", self._guard_navigation)

    # ---- pages ------------------------------------------------------------------------
    def open_main_page(self) -> Page:
        page = self.context.new_page()  # _on_page registers it
        self.main_page = self.page = page
        self.frame = None
        return page

    def _on_page(self, page: Page) -> None:
        self.pages.append(page)
        self.capture.attach(page)
        page.on("dialog", self._on_dialog)
        if self.options.allowed_hosts is not None:
            page.on("request", self._watch_redirect)

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

    # ---- navigation allowlist ---------------------------------------------------------
    def _guard_navigation(self, route: Route) -> None:
        request = route.request
        try:
            is_main_document = request.resource_type == "document" and request.frame.parent_frame is None
        except PlaywrightError:
            is_main_document = request.resource_type == "document"
        if is_main_document and not host_allowed(request.url, self.options.allowed_hosts):
            self.blocked.append(blocked_message(request.url))
            route.abort("blockedbyclient")
            return
        route.fallback()

    def _watch_redirect(self, request: Request) -> None:
        # Routes never see the target of a server-side redirect, so it cannot be stopped before
        # it is sent; failing the step is what we can do (network egress rules are the real fence).
        if request.redirected_from is None or request.resource_type != "document":
            return
        try:
            if request.frame.parent_frame is not None:
                return
        except PlaywrightError:
            return
        if not host_allowed(request.url, self.options.allowed_hosts):
            self.blocked.append(redirect_message(request.url, request.redirected_from.url))

    def check_url_allowed(self, url: str) -> None:
        if not host_allowed(url, self.options.allowed_hosts):
            raise StepFailed(blocked_message(url))

    def raise_if_blocked(self) -> None:
        if self.blocked:
            message, self.blocked = self.blocked[0], []
            raise StepFailed(message)

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

    def resolve(self, target: list[Locator], lazy: bool = True) -> locators.Resolved:
        """lazy (default): a single-alternative target is left to the action's auto-waiting;
        failures are explained by `missing_error` (the runner does it for Playwright errors)."""
        found = locators.resolve(self.scope, self.current_page, target, self.remaining_ms(), lazy=lazy,
                                 aria=self.aria)
        self.locator_used.append(found.described)
        if found.lazy_ms is not None:
            self.lazy.append(found)
        return found

    def missing_error(self) -> str | None:
        """Why this step's action failed when a lazily resolved target matches nothing."""
        for found in self.lazy:
            error = found.missing_error()
            if error is not None:
                return error
        return None

    def resolve_optional(self, target: list[Locator]) -> locators.Resolved:
        found = locators.maybe_resolve(self.scope, self.current_page, target, aria=self.aria)
        self.locator_used.append(found.described)
        return found
