"""Executing one claimed test inside a worker process, with a warm browser.

`execute_test_result` is what the RQ job calls. It claims the attempt (relaunching an idle-closed
browser meanwhile: relaunch.py), runs the engine with a reporter that writes each step as it ends
(step_reporter.py), uploads artifacts, publishes live events, and keeps a heartbeat with a stop
switch (test_watch.py); then it ends the attempt (`run_results.finish_attempt`). The warm
browsers are warm_engines.py's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from traceiq_app.engine.errors import BrowserNotAvailable
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions, TestResult
from traceiq_app.engine.selector_syntax import is_unparseable_error
from traceiq_app.models import TestResultStatus
from traceiq_app.services.observability import logs, tracing
from traceiq_app.services.runs import live_events, orchestration, test_watch
from traceiq_app.services.runs import results as run_results
from traceiq_app.services.runs.step_reporter import PersistingReporter
from traceiq_app.services.runs.test_watch import TestStopped, Watcher
from traceiq_app.services.runs.warm_engines import engines
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)


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
    from traceiq_app.services.runs.relaunch import claim_while_relaunching

    worker_name = worker_name or f"pid-{os.getpid()}"
    prepared = claim_while_relaunching(engines(), test_result_id, worker_name, _preload)
    claimed = prepared.claimed
    if claimed is None:
        return "skipped"
    logs.bind(run_id=claimed.run_id, test_result_id=test_result_id, worker=worker_name)
    log.info("test attempt %d on %s claimed", claimed.attempt, claimed.browser)
    attributes = {"traceiq.run.id": str(claimed.run_id), "traceiq.test_result.id": str(test_result_id),
                  "traceiq.test.name": claimed.test_name, "traceiq.browser": claimed.browser,
                  "traceiq.attempt": claimed.attempt, "traceiq.worker": worker_name}
    with tracing.span(f"test {claimed.test_name}", attributes) as test_span:
        outcome = _execute_claimed(claimed, test_result_id, worker_name, prepared.loaded)
        tracing.set_attributes(test_span, {"traceiq.test.status": outcome})
        return outcome


def _preload(claimed: orchestration.ClaimedTest) -> dict[str, Any]:
    """What the test needs from the database besides its claim, read in the claim's thread
    (overlapping a relaunch): the environment's secrets (or the exception that read raised)
    and the healing options."""
    loaded: dict[str, Any] = {"healing": _healing_options(claimed)}
    try:
        loaded["secrets"] = _environment_secrets(claimed.environment_id)
    except Exception as exc:  # noqa: BLE001 - raised where the test needs them, failing that test
        loaded["secrets"] = exc
    return loaded


def _loaded(value: Any) -> Any:
    if isinstance(value, Exception):
        raise value
    return value


def _execute_claimed(claimed: orchestration.ClaimedTest, test_result_id: uuid.UUID, worker_name: str,
                     loaded: dict[str, Any]) -> str:
    settings = get_settings()
    if claimed.run_started:
        live_events.publish(claimed.run_id, live_events.RUN_STARTED, status="running")
    live_events.publish(claimed.run_id, live_events.TEST_STARTED, test_result_id=str(test_result_id),
                        name=claimed.test_name, browser=claimed.browser, attempt=claimed.attempt,
                        worker=worker_name, total_steps=len(claimed.definition.get("steps", [])))
    watcher = Watcher(claimed.run_id, test_result_id, worker_name)
    watcher.beat()
    watcher.start()
    test_watch.set_current(watcher)
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
                artifacts_dir=work_dir, trace=settings.run_trace, video=claimed.video,  # type: ignore[arg-type]
                secrets=_loaded(loaded["secrets"]),
                allowed_hosts=claimed.allowed_hosts or None,
                allow_link_local=claimed.allow_link_local, deny_private=claimed.deny_private,
            )
            options.healing = loaded["healing"]
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
        test_watch.set_current(None)
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
    test_watch.set_current(None)
    if reporter is not None and reporter.artifact_problems:
        notes = "; ".join(dict.fromkeys(reporter.artifact_problems))
        error = f"{error}; {notes}" if error else notes
    outcome = run_results.finish_attempt(test_result_id, status, error=error, failed_step=failed_step,
                                         duration_ms=duration_ms, retryable=retryable, only_if_worker=worker_name)
    return str(outcome.status) if outcome else "superseded"
