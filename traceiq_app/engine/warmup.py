"""The next test's browser context, made ready while the current test runs; the last one's
closed in the background.

A fresh context and its first page cost 60-150 ms (Chromium starts a renderer process for the
page): in a run of short tests (`traceiq exec` on Recorder flows) that is a good part of each
test. `Engine.prepare(test, options)` starts making the context of the test that runs next -
the same context options, network guard (route) and egress proxy `Engine.run` gives it - as a
task on Playwright's event loop, so it advances while the current test waits on the browser.
`Engine.run` of that very test (same objects) adopts it; anything else discards it (closed,
proxy stopped). Nothing of the test itself runs early: no step, no navigation (the page stays
at about:blank), its clock starts when `run` starts.

`Closing`: when another test follows at once (`then`) and nothing needs the close to be over
(no video), a finished test's context is closed without waiting for it; the next test starts
meanwhile, `Engine.close` waits for the rest. (Without a next test the close is waited for: an
idle process runs no event loop, so a background close would not progress.)

Only for tests without a trace or video (both start with the context; they keep the plain
path). Like waiting.py, this uses the async implementation objects behind the sync API: there
is no public way to start a call without waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright._impl._sync_base import mapping
from playwright.sync_api import Browser, BrowserContext, Page, Route

from traceiq_app.engine.egress import EgressProxy
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.netpolicy import NetPolicy
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.session import guard_pattern, proxy_settings
from traceiq_app.engine.variables import Variables

log = logging.getLogger(__name__)


def can_prepare(options: RunOptions) -> bool:
    """No trace and no video: nothing starts with the context but the context itself."""
    if options.artifacts_dir is None:
        return True
    return options.trace == "off" and options.video in (False, None, "off")


class Guard:
    """The context's route handler: the adopting Session's guard once there is one. Before that
    the page is at about:blank and requests nothing; should anything be requested, the same
    policy decides."""

    def __init__(self, policy: NetPolicy) -> None:
        self.policy = policy
        self.handler: Callable[[Route], None] | None = None

    def __call__(self, route: Route) -> None:
        if self.handler is not None:
            self.handler(route)
        elif self.policy.url_problem(route.request.url, resolve=True) is None:
            route.fallback()
        else:
            route.abort("blockedbyclient")


@dataclass
class Warm:
    test: TestDefinition
    options: RunOptions
    policy: NetPolicy
    egress: EgressProxy
    guard: Guard
    browser: Browser
    task: asyncio.Task[tuple[Any, Any]] | None = field(default=None, repr=False)

    def take(self) -> tuple[BrowserContext, Page] | None:
        """Wait for the context and page; None when making them failed (the caller makes its
        own, which reports the problem as usual)."""
        if self.task is None:
            self.egress.close()
            return None
        try:
            context_impl, page_impl = self.browser._sync(self.task)  # noqa: SLF001
        except Exception:  # noqa: BLE001 - the plain path will meet and report it
            log.debug("prepared context failed", exc_info=True)
            self.egress.close()
            return None
        return mapping.from_impl(context_impl), mapping.from_impl(page_impl)

    def discard(self) -> None:
        taken = None
        with contextlib.suppress(Exception):
            taken = self.take()
        if taken is not None:
            with contextlib.suppress(Exception):
                taken[0].close()
        self.egress.close()


def context_options(test: TestDefinition, run: RunOptions, variables: Variables,
                    evidence_options: dict[str, Any]) -> dict[str, Any]:
    """The options of a test's new context (the egress proxy aside)."""
    viewport = test.viewport
    headers = {**test.headers, **run.extra_headers}
    options: dict[str, Any] = {
        "viewport": {"width": viewport.width, "height": viewport.height} if viewport else None,
        "extra_http_headers": {k: variables.substitute(v) for k, v in headers.items()},
        "ignore_https_errors": run.ignore_https_errors,
        **evidence_options,
    }
    if options["viewport"] is None:
        del options["viewport"]
    return options


class Prepared:
    """The one context an Engine has prepared, if any (Engine.prepare, Engine.run)."""

    def __init__(self) -> None:
        self.warm: Warm | None = None

    def start(self, browser_of: Callable[[], Browser], test: TestDefinition, options: RunOptions) -> None:
        self.discard()
        if not can_prepare(options):
            return
        try:
            browser = browser_of()
            variables = Variables(test.variables, options.variables, options.secrets, test.secrets)
            made_with = context_options(test, options, variables, {})
        except Exception:  # noqa: BLE001 - the run meets the same problem and reports it
            return
        policy = NetPolicy(options.allowed_hosts, options.allow_link_local, options.deny_private)
        self.warm = start(browser, test, options, variables, made_with, policy)

    def take(self, test: TestDefinition, options: RunOptions) -> Warm | None:
        """The prepared context when it was made for these very objects; else it is discarded."""
        warm, self.warm = self.warm, None
        if warm is None or (warm.test is test and warm.options is options):
            return warm
        warm.discard()
        return None

    def discard(self) -> None:
        warm, self.warm = self.warm, None
        if warm is not None:
            warm.discard()


def start(browser: Browser, test: TestDefinition, options: RunOptions, variables: Variables,
          context_options: dict[str, Any], policy: NetPolicy) -> Warm:
    """Start making the context (with `context_options` plus the egress proxy, session.proxy_settings),
    its guard route (session.guard_pattern) and its first page."""
    egress = EgressProxy(policy, on_block=lambda message: None)
    guard = Guard(policy)
    route = guard_pattern(test, options, variables, policy)
    warm = Warm(test, options, policy, egress, guard, browser)
    browser_impl = browser._impl_obj  # noqa: SLF001
    # The implementation's new_context has no defaults: every option the sync API would pass
    # as None, then ours.
    kwargs: dict[str, Any] = dict.fromkeys(inspect.signature(browser_impl.new_context).parameters)
    kwargs.update(context_options, proxy=proxy_settings(egress.server, test, options, variables, policy))

    async def make() -> tuple[Any, Any]:
        context_impl = await browser_impl.new_context(**kwargs)
        try:
            await context_impl.route(route, mapping.wrap_handler(lambda route: guard(route)), None)
            page_impl = await context_impl.new_page()
        except BaseException:
            with contextlib.suppress(Exception):
                await context_impl.close(reason=None)
            raise
        return context_impl, page_impl

    warm.task = browser._loop.create_task(make())  # noqa: SLF001
    return warm


class Closing:
    """Contexts being closed on Playwright's loop, nobody waiting (see the module docstring)."""

    def __init__(self) -> None:
        self._tasks: list[tuple[BrowserContext, asyncio.Task[Any]]] = []

    def add(self, context: BrowserContext) -> None:
        self._tasks = [(c, t) for c, t in self._tasks if not t.done()]
        task = context._loop.create_task(context._impl_obj.close(reason=None))  # noqa: SLF001
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # never "never retrieved"
        self._tasks.append((context, task))

    def wait(self) -> None:
        tasks, self._tasks = self._tasks, []
        pending = [t for _, t in tasks if not t.done()]
        if not pending:
            return
        try:
            tasks[-1][0]._sync(asyncio.wait(pending, timeout=10))  # noqa: SLF001
        except Exception:  # noqa: BLE001 - shutting down: the browser's close ends them anyway
            log.debug("waiting for contexts to close failed", exc_info=True)
