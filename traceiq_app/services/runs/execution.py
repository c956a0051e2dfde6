"""Executing one claimed test inside a worker process, with a warm browser.

`execute_test_result` is what the RQ job calls. It claims the attempt, runs the engine with a
reporter that writes each step as it ends, uploads artifacts, publishes live events, and
keeps a heartbeat; then it ends the attempt (`run_results.finish_attempt`).

Warm browsers: one `BrowserPool` per worker process (the worker executes jobs in-process,
see `traceiq_app.processes.worker`), so the browser survives from test to test; the engine opens a
fresh context per test and relaunches a browser that died.

Stopping a test (cancel, run timeout, RQ stop-job): a watcher thread polls the run's stop
key. When it is set, the reporter refuses to start the next step, and the watcher closes the
browser contexts through Playwright's event loop (`call_soon_threadsafe`), which aborts a
step in flight within milliseconds. The worker itself keeps running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from pydantic import ValidationError

from traceiq_app.engine.browser import BrowserPool
from traceiq_app.engine.errors import BrowserNotAvailable
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions, StepResult, TestResult
from traceiq_app.engine.runner import Engine
from traceiq_app.engine.selector_syntax import is_unparseable_error
from traceiq_app.models import TestResultStatus, utcnow
from traceiq_app.redis_conn import get_redis
from traceiq_app.services.observability import logs, tracing
from traceiq_app.services.runs import live_events, orchestration
from traceiq_app.services.runs import results as run_results
from traceiq_app.services.runs.artifacts import store_artifact
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)


class TestStopped(Exception):
    """Raised by the reporter before a step when the run was told to stop."""

    __test__ = False


# ---- warm engines -------------------------------------------------------------------------
class WarmEngines:
    """One browser pool per process, one Engine per browser kind on it."""

    def __init__(self, warm: bool = True) -> None:
        settings = get_settings()
        self.warm = warm
        self.pid = os.getpid()
        self.pool = BrowserPool(executable_path=settings.chromium_path)
        self.last_used = time.monotonic()
        self._engines: dict[str, Engine] = {}

    def engine(self, browser: str) -> Engine:
        if browser not in self._engines:
            self._engines[browser] = Engine(browser=browser, pool=self.pool)
        return self._engines[browser]

    def after_test(self) -> None:
        self.last_used = time.monotonic()
        if not self.warm:  # cold mode: a browser launch per test (bench comparison)
            self.pool.close()

    def close_if_idle(self, idle_seconds: float) -> bool:
        """Close the warm browsers after `idle_seconds` without a test (0: never). Call from the
        thread that runs the tests (Playwright's sync API is bound to it)."""
        if idle_seconds <= 0 or time.monotonic() - self.last_used < idle_seconds:
            return False
        if not self.pool.has_open_browser():
            return False
        self.pool.close_browsers()
        log.info("closed the idle browser after %.0f s without a test", idle_seconds)
        return True

    def close(self) -> None:
        self.pool.close()
        self._engines = {}


_engines: WarmEngines | None = None
_current: _Watcher | None = None


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


def request_stop_current(reason: str = "stopped") -> bool:
    """Stop the test this process is running (RQ's stop-job command lands here)."""
    watcher = _current
    if watcher is None:
        return False
    watcher.stop(reason)
    return True


# ---- heartbeat + stop watcher ---------------------------------------------------------------
class _Watcher(threading.Thread):
    """Heartbeat of the running test, and the stop switch."""

    def __init__(self, run_id: uuid.UUID, test_result_id: uuid.UUID, worker_name: str) -> None:
        super().__init__(name=f"watch-{test_result_id}", daemon=True)
        settings = get_settings()
        self.run_id = run_id
        self.test_result_id = test_result_id
        self.worker_name = worker_name
        self.beat_every = settings.heartbeat_seconds
        # Generous TTL: a starved thread on a busy machine must not look like a dead worker.
        self.beat_ttl = max(int(settings.heartbeat_seconds * 3), 5)
        self.poll = min(0.2, settings.heartbeat_seconds / 10)
        self.engine: Any = None  # the Engine running the test (its abort() is thread-safe)
        self.reason: str | None = None
        self._stop_event = threading.Event()
        self._done = threading.Event()
        self._client: redis.Redis = get_redis()

    def beat(self) -> None:
        try:
            with self._client.pipeline(transaction=False) as pipe:
                pipe.set(orchestration.heartbeat_key(self.test_result_id), self.worker_name, ex=self.beat_ttl)
                pipe.set(orchestration.last_beat_key(self.test_result_id), repr(time.time()),
                         ex=orchestration.LAST_BEAT_TTL_S)
                pipe.execute()
        except (redis.RedisError, OSError) as exc:
            log.debug("heartbeat failed: %s", exc)

    def run(self) -> None:
        next_beat = 0.0
        while not self._done.is_set():
            now = time.monotonic()
            if now >= next_beat:
                self.beat()
                next_beat = now + self.beat_every
            if self.reason is None:
                try:
                    reason = orchestration.stop_reason(self.run_id, self._client)
                except (redis.RedisError, OSError):
                    reason = None
                if reason:
                    self.stop(reason)
            self._done.wait(self.poll)

    @property
    def stopped(self) -> bool:
        return self._stop_event.is_set()

    def stop(self, reason: str) -> None:
        if self._stop_event.is_set():
            return
        self.reason = reason
        self._stop_event.set()
        self._abort_in_flight()

    def _abort_in_flight(self) -> None:
        """Abort the step in flight (the engine closes the test's context from Playwright's own
        loop): it fails at once with "cancelled: <reason>", and the reporter stops the test.
        An abort that lands before the run started is caught by `step_started` instead."""
        if self.engine is not None:
            self.engine.abort(self.reason or "stopped")

    def finish(self) -> None:
        self._done.set()
        self.join(timeout=2)
        with contextlib.suppress(redis.RedisError, OSError):
            self._client.delete(orchestration.heartbeat_key(self.test_result_id),
                                orchestration.last_beat_key(self.test_result_id))


# ---- reporter -----------------------------------------------------------------------------
class PersistingReporter:
    """Engine callbacks -> step rows, artifact uploads, live events."""

    def __init__(self, claimed: orchestration.ClaimedTest, watcher: _Watcher) -> None:
        self.claimed = claimed
        self.watcher = watcher
        self.step_started_at: dict[int, Any] = {}
        self.current_step: int | None = None
        # A step's screenshots arrive while the step runs; they are stored (maybe uploaded to
        # S3) only after the step's live event went out, so an upload never delays it.
        self.step_artifacts: list[tuple[str, Path, int | None]] = []
        self.artifact_problems: list[str] = []  # reported on the result: "trace not stored: disk full"
        self.trace_context = tracing.current_context()  # the test's span: parent of the step spans
        self.step_spans: dict[int, Any] = {}

    def _publish(self, type_: str, **data: Any) -> None:
        live_events.publish(self.claimed.run_id, type_, test_result_id=str(self.claimed.test_result_id), **data)

    def test_started(self, name: str, total_steps: int) -> None:
        pass  # published when the test was claimed

    def step_started(self, index: int, action: str, name: str | None) -> None:
        if self.watcher.stopped:
            raise TestStopped(self.watcher.reason or "stopped")
        self.current_step = index
        self.step_started_at[index] = utcnow()
        self.step_spans[index] = tracing.start_span(
            f"step {index} {action}", self.trace_context,
            {"traceiq.step.index": index, "traceiq.step.action": action, "traceiq.step.name": name})
        self._publish(live_events.STEP_STARTED, index=index, action=action, name=name)

    def artifact(self, kind: str, path: Path) -> None:
        if kind in ("screenshots", "failure_screenshot"):
            self.step_artifacts.append((kind, Path(path), self.current_step))
        else:
            self._store(kind, Path(path), None)

    def _store(self, kind: str, path: Path, step_index: int | None) -> uuid.UUID | None:
        try:
            artifact = store_artifact(
                project_id=self.claimed.project_id, run_id=self.claimed.run_id,
                test_result_id=self.claimed.test_result_id, kind=kind, path=path, step_index=step_index,
            )
        except Exception as exc:  # noqa: BLE001 - a storage problem must not fail the test
            log.exception("could not store artifact %s (%s)", path, kind)
            self.artifact_problems.append(artifact_problem(kind, exc))
            return None
        self._publish(live_events.ARTIFACT_READY, artifact_id=str(artifact.id), kind=str(artifact.kind),
                      step_index=step_index, size_bytes=artifact.size_bytes, content_type=artifact.content_type)
        return artifact.id

    def _store_step_artifacts(self, step_index: int | None = None) -> uuid.UUID | None:
        """Store the screenshots taken so far; returns the last one's id of step `step_index`."""
        pending, self.step_artifacts = self.step_artifacts, []
        screenshot = None
        for kind, path, index in pending:
            stored = self._store(kind, path, index)
            if stored is not None and index is not None and index == step_index:
                screenshot = stored
        return screenshot

    def step_finished(self, result: StepResult) -> None:
        # Live event first: watchers see the step as soon as it ended, not after the screenshot
        # upload or the DB write (the page reads the DB only for finished attempts, whose rows
        # all exist by then).
        finished_at = time.time()
        tracing.end_span(self.step_spans.pop(result.index, None), {"traceiq.step.status": result.status},
                         error=result.error if result.status != "passed" else None)
        self._publish(live_events.STEP_FINISHED, index=result.index, action=result.type, name=result.name,
                      status=result.status, duration_ms=result.duration_ms, error=result.error,
                      console_errors=live_events.capped(result.console_errors),
                      network_errors=live_events.capped(result.network_errors),
                      finished_at=round(finished_at * 1000, 1))
        screenshot = self._store_step_artifacts(result.index)
        run_results.record_step(self.claimed.test_result_id, result, self.step_started_at.get(result.index),
                                screenshot)

    def test_finished(self, result: TestResult) -> None:
        # test.finished itself is published by finish_attempt, with the final (flaky/cancelled)
        # status; a screenshot of a step that never reported (the test errored) is kept.
        self._store_step_artifacts()
        self.end_open_spans()

    def end_open_spans(self) -> None:
        for index in list(self.step_spans):
            tracing.end_span(self.step_spans.pop(index), {"traceiq.step.status": "unfinished"})


def artifact_problem(kind: str, exc: BaseException) -> str:
    """What the result says about an artifact that could not be stored."""
    import errno

    label = {"screenshots": "screenshot", "failure_screenshot": "failure screenshot"}.get(kind, kind)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        reason = "no space left on the artifact storage"
    elif isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "the artifact storage is not writable"
    else:
        reason = f"{type(exc).__name__}: {exc}"[:300]
    return f"{label} not stored ({reason})"


# ---- the job body -------------------------------------------------------------------------
def _environment_secrets(environment_id: uuid.UUID | None) -> dict[str, str]:
    """Decrypted secrets of the run's environment (values are masked in every result)."""
    if environment_id is None:
        return {}
    from traceiq_app.services.catalog.environments import environment_secrets

    return environment_secrets(environment_id)


def _healing_options(claimed: orchestration.ClaimedTest) -> Any:
    """The project's healing options (services/healing); a healing problem never fails a test."""
    from traceiq_app.services.healing.store import options_for_run

    try:
        return options_for_run(claimed.project_id, claimed.test_case_id)
    except Exception:  # noqa: BLE001
        log.exception("healing options unavailable; running without healing")
        return None


def _record_healing(claimed: orchestration.ClaimedTest, result: TestResult) -> None:
    from traceiq_app.services.healing.store import record_outcome

    try:
        record_outcome(project_id=claimed.project_id, run_id=claimed.run_id,
                       test_result_id=claimed.test_result_id, test_case_id=claimed.test_case_id,
                       definition=claimed.definition, result=result)
    except Exception:  # noqa: BLE001 - the result itself is already recorded
        log.exception("could not record the healing outcome of %s", claimed.test_result_id)


def execute_test_result(test_result_id: uuid.UUID, worker_name: str | None = None) -> str:
    """Run one queued attempt to its end. Returns the attempt's final status ("skipped" when
    there was nothing to do: already claimed, or the run ended)."""
    worker_name = worker_name or f"pid-{os.getpid()}"
    claimed = orchestration.claim(test_result_id, worker_name)
    if claimed is None:
        return "skipped"
    logs.bind(run_id=claimed.run_id, test_result_id=test_result_id, worker=worker_name)
    log.info("test attempt %d on %s claimed", claimed.attempt, claimed.browser)
    attributes = {"traceiq.run.id": str(claimed.run_id), "traceiq.test_result.id": str(test_result_id),
                  "traceiq.test.name": claimed.test_name, "traceiq.browser": claimed.browser,
                  "traceiq.attempt": claimed.attempt, "traceiq.worker": worker_name}
    with tracing.span(f"test {claimed.test_name}", attributes) as test_span:
        outcome = _execute_claimed(claimed, test_result_id, worker_name)
        tracing.set_attributes(test_span, {"traceiq.test.status": outcome})
        return outcome


def _execute_claimed(claimed: orchestration.ClaimedTest, test_result_id: uuid.UUID, worker_name: str) -> str:
    global _current
    settings = get_settings()
    if claimed.run_started:
        live_events.publish(claimed.run_id, live_events.RUN_STARTED, status="running")
    live_events.publish(claimed.run_id, live_events.TEST_STARTED, test_result_id=str(test_result_id),
                        name=claimed.test_name, browser=claimed.browser, attempt=claimed.attempt,
                        worker=worker_name, total_steps=len(claimed.definition.get("steps", [])))
    watcher = _Watcher(claimed.run_id, test_result_id, worker_name)
    watcher.beat()
    watcher.start()
    _current = watcher
    work_dir = Path(tempfile.mkdtemp(prefix=f"tiq-{test_result_id.hex[:12]}-"))
    pool = engines()
    status, error, failed_step, duration_ms, retryable = TestResultStatus.error, None, None, None, True
    reporter: PersistingReporter | None = None
    try:
        try:
            definition = TestDefinition.model_validate(claimed.definition)
            engine = pool.engine(claimed.browser)
            engine.check_browser()
            watcher.engine = engine
            options = RunOptions(
                artifacts_dir=work_dir, trace=settings.run_trace, video=settings.run_video,
                secrets=_environment_secrets(claimed.environment_id),
                allowed_hosts=claimed.allowed_hosts or None,
                allow_link_local=claimed.allow_link_local, deny_private=claimed.deny_private,
            )
            options.healing = _healing_options(claimed)
            reporter = PersistingReporter(claimed, watcher)
            result = engine.run(definition, options, reporter)
            if options.healing is not None:
                _record_healing(claimed, result)
            status = TestResultStatus(result.status)
            error, failed_step, duration_ms = result.error, result.failed_step, result.duration_ms
            if status in (TestResultStatus.failed, TestResultStatus.error) and is_unparseable_error(error):
                retryable = False  # a locator the browser can never parse fails every attempt alike
        except BrowserNotAvailable as exc:
            error, retryable = str(exc), False  # another attempt on this worker cannot help
        except ValidationError as exc:
            from traceiq_app.services.catalog.test_cases import problems_from_validation

            problems = "; ".join(str(p) for p in problems_from_validation(exc, claimed.definition.get("steps") or []))
            error, retryable = f"invalid test definition: {problems or exc}", False
        except TestStopped:
            pass
        except Exception as exc:  # noqa: BLE001 - a bug or a broken secret store fails this test only
            log.exception("test %s could not run", test_result_id)
            error, retryable = f"internal error: {type(exc).__name__}: {exc}", False
        if watcher.stopped:
            status, error = TestResultStatus.cancelled, watcher.reason or "stopped"
    except BaseException:
        # Forced shutdown (second SIGTERM, Ctrl-C): give the test back to the queue.
        watcher.finish()
        _current = None
        with contextlib.suppress(Exception):
            orchestration.hand_back(test_result_id)
        raise
    finally:
        if reporter is not None:
            reporter.end_open_spans()
        shutil.rmtree(work_dir, ignore_errors=True)
        with contextlib.suppress(Exception):
            pool.after_test()
    watcher.finish()
    _current = None
    if reporter is not None and reporter.artifact_problems:
        notes = "; ".join(dict.fromkeys(reporter.artifact_problems))
        error = f"{error}; {notes}" if error else notes
    outcome = run_results.finish_attempt(test_result_id, status, error=error, failed_step=failed_step,
                                         duration_ms=duration_ms, retryable=retryable, only_if_worker=worker_name)
    return str(outcome.status) if outcome else "superseded"
