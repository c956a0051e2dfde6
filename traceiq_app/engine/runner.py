"""Run a TestDefinition in a real browser and return a TestResult.

    engine = Engine()                       # owns one warm browser for this process
    result = engine.run(test, RunOptions(artifacts_dir=Path("out")), reporter)
    engine.close()

Step status: passed / failed / skipped. Test status: passed, failed (a step failed) or error
(it could not run: browser missing, unknown variable, internal error).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from traceiq_app.engine import warmup
from traceiq_app.engine.actions import ACTIONS
from traceiq_app.engine.browser import BrowserPool
from traceiq_app.engine.egress import EgressProxy
from traceiq_app.engine.errors import BrowserCrashed, BrowserNotAvailable, StepFailed, VariableError
from traceiq_app.engine.evidence import Capture, Evidence
from traceiq_app.engine.healing.runtime import heal as heal_element
from traceiq_app.engine.locators import describe_target
from traceiq_app.engine.model import Step, TestDefinition
from traceiq_app.engine.netpolicy import NetPolicy
from traceiq_app.engine.playwright_errors import first_line, is_closed, is_timeout, reason
from traceiq_app.engine.results import NullReporter, Reporter, RunOptions, StepResult, TestResult, TestStatus
from traceiq_app.engine.session import Session, proxy_settings
from traceiq_app.engine.urls import url_pattern
from traceiq_app.engine.variables import Variables
from traceiq_app.engine.waiting import ONE_SHOT_MS

log = logging.getLogger(__name__)

DEFAULT_STEP_TIMEOUT_MS = 10_000

# How a failed action reads in a message: "could not <verb> <locator>: <reason>".
VERBS = {
    "click": "click", "dblclick": "double-click", "right_click": "right-click", "hover": "hover over",
    "fill": "fill", "type": "type into", "press": "press a key in", "check": "check",
    "uncheck": "uncheck", "select_option": "select an option in", "upload": "upload files to",
    "drag_and_drop": "drag and drop", "scroll": "scroll", "extract": "read from",
    "switch_frame": "enter the frame", "screenshot": "take a screenshot of",
}


class Engine:
    """Runs tests one after another in one warm browser. Not thread-safe (one per process),
    except `abort`, which any thread may call while `run` is busy."""

    def __init__(self, browser: str = "chromium", executable_path: str | None = None, headless: bool = True,
                 pool: BrowserPool | None = None) -> None:
        self.browser_name = browser
        self._pool = pool or BrowserPool(executable_path=executable_path, headless=headless)
        self._lock = threading.Lock()
        self._current: _TestRun | None = None
        self._prepared = warmup.Prepared()  # the next test's context, being made (prepare)
        self._closing = warmup.Closing()  # finished tests' contexts, closed in the background

    def abort(self, reason: str) -> bool:
        """Abort the test `run` is executing, from any thread (cancel, run timeout, stop-job).

        The browser context of that test is closed through Playwright's own event loop, so the
        step in flight fails at once; no further step runs. The test ends with status "failed",
        error "cancelled: <reason>" (the aborted step: "step N (...): cancelled: <reason>";
        later steps skipped). Returns False when no test is running (nothing to abort)."""
        with self._lock:
            current = self._current
            if current is None:
                return False
            if current.cancelled is None:
                current.cancelled = reason
            context = current.context
        if context is not None:
            _close_threadsafe(context, reason)
        return True

    def run(self, test: TestDefinition, options: RunOptions | None = None, reporter: Reporter | None = None,
            source_dir: Path | None = None, then: tuple[TestDefinition, RunOptions] | None = None) -> TestResult:
        """Never raises for test problems: they come back as a failed/error TestResult.
        then: the (test, options) that run next; its context is made while this test runs
        (see prepare)."""
        run = _TestRun(self, test, options or RunOptions(), reporter or NullReporter(), source_dir)
        run.then = then
        return run.execute()

    def prepare(self, test: TestDefinition, options: RunOptions) -> None:
        """Start making the context of the test that `run` gets next (those very objects), while
        this thread goes on (engine/warmup.py). Best effort: when it cannot, `run` makes it."""
        self._prepared.start(lambda: self._pool.get(self.browser_name), test, options)

    def check_browser(self) -> None:
        """Launch the browser now; raises BrowserNotAvailable with an install hint."""
        self._pool.get(self.browser_name)

    def close(self) -> None:
        self._prepared.discard()
        self._closing.wait()
        self._pool.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _TestRun:
    def __init__(self, engine: Engine, test: TestDefinition, options: RunOptions, reporter: Reporter,
                 source_dir: Path | None) -> None:
        self.engine = engine
        self.test = test
        self.options = options
        self.reporter = reporter
        self.source_dir = source_dir
        self.vars = Variables(test.variables, options.variables, options.secrets, test.secrets)
        self.mask = self.vars.masker
        self.results: list[StepResult] = []
        self.errored = False  # "error" (could not run) rather than "failed"
        self.error: str | None = None
        self.started = time.monotonic()
        self.deadline = self.started + test.timeout_ms / 1000
        self.cancelled: str | None = None  # the reason given to Engine.abort
        self.context: BrowserContext | None = None
        self.fingerprints: dict[str, dict[str, Any]] = {}  # recorded on passing steps (healing)
        self.then: tuple[TestDefinition, RunOptions] | None = None  # prepared once this one runs

    # ---- whole test -------------------------------------------------------------------
    def execute(self) -> TestResult:
        with self.engine._lock:
            self.engine._current = self
        try:
            return self._execute()
        finally:
            with self.engine._lock:
                self.engine._current = None

    def _execute(self) -> TestResult:
        self.reporter.test_started(self.mask(self.test.name), len(self.test.steps))
        evidence = Evidence(self.options, self.mask(self.test.name), self.reporter)
        warm = self.engine._prepared.take(self.test, self.options)
        ready = warm.take() if warm is not None else None
        if warm is not None and ready is not None:
            policy, egress = warm.policy, warm.egress
        else:
            policy = NetPolicy(self.options.allowed_hosts, self.options.allow_link_local, self.options.deny_private)
            egress = EgressProxy(policy, on_block=lambda message: None)
        try:
            return self._execute_fenced(evidence, policy, egress, ready, warm.guard if warm and ready else None)
        finally:
            egress.close()

    def _execute_fenced(self, evidence: Evidence, policy: NetPolicy, egress: EgressProxy,
                        ready: tuple[BrowserContext, Page] | None = None,
                        guard: warmup.Guard | None = None) -> TestResult:
        try:
            if ready is not None:  # made by Engine.prepare, with the same options and proxy
                context = ready[0]
            else:
                browser = self.engine._pool.get(self.engine.browser_name)
                # Every connection of the context goes through the run's egress proxy (loopback
                # too: Playwright proxies it unless told otherwise).
                context = browser.new_context(**warmup.context_options(self.test, self.options, self.vars,
                                                                       evidence.context_options()),
                                              proxy=proxy_settings(egress.server, self.test, self.options,
                                                                   self.vars, policy))
        except (BrowserNotAvailable, VariableError) as exc:
            return self._finish(evidence, error=self.mask(str(exc)))
        except PlaywrightError as exc:
            return self._finish(evidence, error=self.mask(f"could not start the browser: {first_line(exc)}"))
        with self.engine._lock:
            self.context = context
            cancelled = self.cancelled
        if cancelled is not None:  # aborted while the context was being created
            _close_threadsafe(context, cancelled)
        capture = Capture(self.mask)
        session = Session(context, self.engine.browser_name, self.test, self.options, self.vars,
                          evidence, capture, self.source_dir, policy, egress, routed=guard is not None)
        if guard is not None:
            guard.handler = session._guard  # noqa: SLF001 - the route was installed with the context
        egress.on_block = session.on_fence_block
        capture.explain = session.explain_network_error
        startup_error: str | None = None
        try:
            try:
                evidence.start_tracing(context)
                if ready is not None:
                    session.adopt_main_page(ready[1])
                else:
                    session.open_main_page()
            except PlaywrightError as exc:  # the browser died between launch and here
                if self.cancelled is None:
                    startup_error = self.mask(f"could not open a page: {first_line(exc)}")
            else:
                if self.then is not None and self.cancelled is None:
                    self.engine.prepare(*self.then)
                self._run_steps(session)
        finally:
            with self.engine._lock:
                self.context = None
            self._close(context, evidence, session.pages)
        return self._finish(evidence, error=startup_error)

    def _close(self, context: BrowserContext, evidence: Evidence, pages: list[Any]) -> None:
        failed = self._status() != "passed"
        evidence.stop_tracing(context, failed=failed, masker=self.mask)
        if self.then is not None and (not evidence.keeps_files or evidence.video_mode == "off"):
            # Another test follows at once and nothing waits for this close (a video is only
            # complete after it): in the background, progressing while the next test runs.
            try:
                self.engine._closing.add(context)
                return
            except Exception:  # noqa: BLE001 - e.g. Playwright's loop is gone: close it here
                log.debug("background close failed", exc_info=True)
        try:
            context.close()
        except PlaywrightError:
            log.debug("context close failed", exc_info=True)
        evidence.collect_videos(pages, failed=failed)

    def _status(self) -> TestStatus:
        if self.cancelled is not None:
            return "failed"
        if self.errored:
            return "error"
        return "failed" if any(r.status == "failed" for r in self.results) else "passed"

    def _finish(self, evidence: Evidence, error: str | None = None) -> TestResult:
        evidence.finish()
        if error is not None:
            self.errored, self.error = True, error
        if error is not None or self.cancelled is not None:
            for index, step in enumerate(self.test.steps[len(self.results):], start=len(self.results)):
                self._skip(index, step)
        failed = next((r for r in self.results if r.status == "failed"), None)
        if self.cancelled is not None:
            self.error = self.mask(f"cancelled: {self.cancelled}")
        result = TestResult(
            name=self.mask(self.test.name),
            status=self._status(),
            duration_ms=int((time.monotonic() - self.started) * 1000),
            failed_step=failed.index if failed else None,
            error=self.error or (failed.error if failed else None),
            steps=self.results,
            artifacts=evidence.artifacts,
            variables={k: self.mask(v) for k, v in self.vars.extracted.items()},
            fingerprints=self.fingerprints,
        )
        self.reporter.test_finished(result)
        return result

    # ---- steps ------------------------------------------------------------------------
    def _run_steps(self, session: Session) -> None:
        stop = False
        for index, step in enumerate(self.test.steps):
            if self.cancelled is not None:
                stop = True
            if stop:
                self._skip(index, step)
                continue
            result = self._run_step(session, index, step)
            self.results.append(result)
            self.reporter.step_finished(result)
            if result.status == "failed" and (self.errored or not step.continue_on_failure):
                stop = True

    def _skip(self, index: int, step: Step) -> None:
        result = StepResult(index=index, type=step.action, status="skipped", duration_ms=0,
                            name=self._step_name(step))
        self.results.append(result)
        self.reporter.step_finished(result)

    def _step_name(self, step: Step) -> str | None:
        if step.name is None:
            return None
        try:
            return self.mask(self.vars.substitute(step.name))
        except VariableError:
            return self.mask(step.name)

    def _step_timeout_ms(self, step: Step) -> int:
        return (step.timeout_ms or self.test.step_timeout_ms or self.options.default_timeout_ms
                or DEFAULT_STEP_TIMEOUT_MS)

    def _run_step(self, s: Session, index: int, step: Step) -> StepResult:
        name = self._step_name(step)
        self.reporter.step_started(index, step.action, name)
        started = time.monotonic()
        timeout_ms = self._step_timeout_ms(step)
        test_left_ms = (self.deadline - started) * 1000
        limited_by_test = test_left_ms < timeout_ms
        s.deadline = started + max(min(timeout_ms, test_left_ms), 0) / 1000
        s.start_step(index)
        effective_ms = int(max(min(timeout_ms, test_left_ms), 0))
        error = self._attempt(s, step, effective_ms, limited_by_test, test_left_ms)
        healed: dict[str, Any] | None = None
        if error is not None and self.options.healing is not None and self.options.healing.heal:
            error, healed = self._heal(s, step, error, limited_by_test)
        if error is None and not healed:
            self.fingerprints.update(s.fresh_fps)
        if error is not None and self.cancelled is not None:
            error, self.errored = f"cancelled: {self.cancelled}", False
        screenshot = s.step_screenshot
        if error is not None and self.cancelled is not None:
            error = self.mask(f"{self._where(index, step)}: {error}")
        elif error is not None:
            error = self.mask(f"{self._where(index, step)}: {error}")
            screenshot = s.evidence.screenshot(s.page, f"failure-step-{index + 1:02d}.png", "failure_screenshot",
                                               many=False) or screenshot
        elif self.options.screenshot_every_step and step.action != "screenshot":
            screenshot = s.evidence.screenshot(s.page, f"step-{index + 1:02d}.png", "screenshots") or screenshot
        console, network = s.capture.take()
        return StepResult(
            index=index, type=step.action, status="failed" if error else "passed",
            duration_ms=int((time.monotonic() - started) * 1000), name=name, error=error,
            locator_used=self.mask(" → ".join(s.locator_used)) or None,
            console_errors=console, network_errors=network, screenshot=screenshot,
            dialogs=list(s.dialogs), healed=healed,
        )

    def _heal(self, s: Session, step: Step, error: str,
              limited_by_test: bool) -> tuple[str | None, dict[str, Any] | None]:
        """The step failed: when it was because a target's element is gone and the store has that
        target's fingerprint, find the element again (engine/healing) and run the step once more
        on it. Returns (error or None, the heal record)."""
        healing = self.options.healing
        if healing is None or self.errored or self.cancelled is not None or "no element matches" not in error:
            return error, None
        if s.missing_slot is None:
            s.missing_error()
        slot = s.missing_slot
        target = s.targets.get(slot) if slot is not None else None
        stored = healing.fingerprints.get(slot) if slot is not None else None
        if slot is None or target is None or stored is None or slot in s.overrides:
            return error, None
        described = self.mask(describe_target(target))
        if stored.get("locator") != described:
            return error, None  # recorded for another version of this step
        test_left_ms = (self.deadline - time.monotonic()) * 1000
        if test_left_ms <= 0:
            return error, None
        try:
            outcome = heal_element(s.scope, stored, healing)
        except StepFailed:
            return error, None
        if outcome.locator is None:
            return f"{error} (healing refused: {outcome.reason})", None
        to = self.mask(outcome.locator.describe())
        record = {"slot": slot, "from": described, "to": to,
                  "locator": outcome.locator.model_dump(mode="json", exclude_defaults=True),
                  "score": round(outcome.score, 3), "runner_up": round(outcome.runner_up, 3),
                  "elapsed_ms": round(outcome.elapsed_ms, 1), "applied": healing.apply,
                  "ranked_by": outcome.ranked_by, **({"rank_note": outcome.rank_note} if outcome.rank_note else {})}
        if not healing.apply:
            return f"{error} (found again as {to}, score {outcome.score:.2f}: a healing proposal was made)", record
        budget_ms = min(healing.heal_timeout_ms, test_left_ms)
        s.overrides[slot] = [outcome.locator]
        s.slot_n, s.missing_slot, s.lazy, s.locator_used, s.fresh_fps = 0, None, [], [], {}
        s.deadline = time.monotonic() + budget_ms / 1000
        again = self._attempt(s, step, int(budget_ms), limited_by_test, test_left_ms)
        if again is not None:
            return f"{error} (healed to {to}, score {outcome.score:.2f}, but the step still failed: {again})", None
        return None, record

    def _where(self, index: int, step: Step) -> str:
        details = step.action + (f", line {step.source_line}" if step.source_line else "")
        return f"step {index + 1} ({details})"

    def _attempt(self, s: Session, step: Step, timeout_ms: int, limited_by_test: bool,
                 test_left_ms: float) -> str | None:
        """Run one step; return None on success or the (unmasked, unprefixed) error text."""
        try:
            if test_left_ms <= 0:
                raise StepFailed(f"the test timeout ({self.test.timeout_ms} ms) was reached before this step")
            concrete = self.vars.substitute_model(step)
            s.step_page = self._step_page(s, concrete)
            self._perform(s, concrete)
            s.raise_if_blocked()
            return None
        except (VariableError, BrowserCrashed) as exc:
            self.errored = True
            return str(exc)
        except StepFailed as exc:
            # A request refused during the step is the likelier cause (a page that never loaded).
            return s.take_blocked() or self._with_test_timeout(str(exc), limited_by_test)
        except PlaywrightError as exc:
            blocked = s.take_blocked()
            if blocked is not None:
                return blocked
            return s.explain_network_error(self._explain(s, step, exc, timeout_ms, limited_by_test))
        except Exception as exc:  # noqa: BLE001 - a bug must fail one test, not the worker
            log.exception("internal error in step %s", step.action)
            self.errored = True
            return f"internal error: {type(exc).__name__}: {first_line(exc)}"
        finally:
            s.step_page = None

    def _with_test_timeout(self, message: str, limited_by_test: bool) -> str:
        if limited_by_test and time.monotonic() >= self.deadline:
            return f"{message} (the test timeout of {self.test.timeout_ms} ms was reached)"
        return message

    def _step_page(self, s: Session, step: Step) -> Any:
        if step.page is None:
            return None
        if step.page == "main":
            return s.main_page
        return s.find_page(step.page, exclude_main=False)

    def _perform(self, s: Session, step: Step) -> None:
        nav = step.expect_navigation
        if nav is None:
            ACTIONS[step.action](s, step)
            return
        page = s.current_page
        url = s.expected_url(nav.url) if nav.url else None
        waiter: AbstractContextManager[Any] = (
            page.expect_navigation(url=url_pattern(url), timeout=s.remaining_ms()) if url
            else page.expect_navigation(timeout=s.remaining_ms())
        )
        done = False
        try:
            with waiter:
                ACTIONS[step.action](s, step)
                done = True
        except PlaywrightTimeout:
            if not done:
                raise
            s.raise_if_blocked()
            wanted = f"navigate to '{url}'" if url else "cause a navigation"
            raise StepFailed(f"the step did not {wanted} (the page is at '{page.url}')") from None
        title = nav.title
        if title is not None and not s.until(lambda: _has_title(page, title)):
            raise StepFailed(f"after navigating, expected title '{title}' but found '{page.title()}'")

    def _explain(self, s: Session, step: Step, exc: PlaywrightError, timeout_ms: int, limited_by_test: bool) -> str:
        if is_closed(exc):
            if not s.browser_alive():
                self.errored = True
                return "the browser crashed or was closed"
            return "the page was closed during the step"
        missing = s.missing_error()
        if missing is not None:
            return self._with_test_timeout(missing, limited_by_test)
        located = s.locator_used[-1] if s.locator_used else None
        if is_timeout(exc):
            if located:
                message = f"could not {VERBS.get(step.action, step.action)} {located}"
            else:
                message = f"{step.action} did not finish"
            why = reason(exc)
            message += f": {why}" if why else ""
            message += f" (waited {round(timeout_ms / 1000, 1):g} s)"
            return self._with_test_timeout(message, limited_by_test)
        text = first_line(exc)
        return f"{text} ({located})" if located else text




def _has_title(page: Any, title: str) -> bool:
    # The usual case, the very title, in one cheap round trip: page.title() reads document.title
    # without Playwright's injected script, which a newly loaded document would first have to
    # set up (20-40 ms) for expect(). Anything else gets expect()'s own comparison (it normalizes
    # white space).
    try:
        if page.title() == title:
            return True
    except PlaywrightError as exc:
        if is_closed(exc):
            raise
    try:  # Playwright's one-shot check; Session.until asks again on each change
        expect(page).to_have_title(title, timeout=ONE_SHOT_MS)
    except AssertionError:
        return False
    return True


def _close_threadsafe(context: BrowserContext, reason: str) -> None:
    """Close a context from any thread. The sync API is bound to the thread running its event
    loop, so the close is handed to that loop (Playwright has no public cross-thread call)."""
    loop: asyncio.AbstractEventLoop = context._loop  # noqa: SLF001
    impl = context._impl_obj  # noqa: SLF001

    def close() -> None:
        task = asyncio.ensure_future(impl.close(reason=reason))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # never "never retrieved"

    try:
        loop.call_soon_threadsafe(close)
    except RuntimeError:  # the loop is closed: so is the context
        log.debug("abort: Playwright's loop is closed", exc_info=True)
