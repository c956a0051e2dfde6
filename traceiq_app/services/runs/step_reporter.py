"""Engine callbacks of a running test -> step rows, artifact uploads, live events, step spans."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from traceiq_app.engine.results import StepResult, TestResult
from traceiq_app.models import utcnow
from traceiq_app.services.observability import tracing
from traceiq_app.services.runs import live_events, orchestration
from traceiq_app.services.runs import results as run_results
from traceiq_app.services.runs.artifacts import store_artifact
from traceiq_app.services.runs.test_watch import TestStopped, Watcher

log = logging.getLogger(__name__)


class PersistingReporter:
    """Engine callbacks -> step rows, artifact uploads, live events."""

    def __init__(self, claimed: orchestration.ClaimedTest, watcher: Watcher) -> None:
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
