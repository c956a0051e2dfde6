""""Explain this failure" for one failed test result (the run page's button): the result's error,
its failing step (definition, console and network errors) go to the model when the project may
use it (configured, opted in, under the per-project AI rate limit), else the offline rules answer
with a note saying why the model was not asked."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Run, StepResult, TestResult
from traceiq_app.services.ai import access
from traceiq_app.services.ai.client import LLMClient, LLMError
from traceiq_app.services.ai.explain import Explanation, explain, offline_explanation
from traceiq_app.services.catalog.projects import Invalid, NotFound

FAILED = ("failed", "error", "flaky")


def project_of_result(test_result_id: uuid.UUID | str) -> uuid.UUID | None:
    """The project a test result belongs to (to authorize against), or None."""
    try:
        rid = uuid.UUID(str(test_result_id))
    except ValueError:
        return None
    with session_scope() as session:
        row = session.exec(select(Run.project_id).join(TestResult, col(TestResult.run_id) == col(Run.id))
                           .where(col(TestResult.id) == rid)).first()
        return row


def _failure(project_id: uuid.UUID, test_result_id: uuid.UUID | str) -> dict[str, Any]:
    with session_scope() as session:
        try:
            result = session.get(TestResult, uuid.UUID(str(test_result_id)))
        except ValueError:
            result = None
        run = session.get(Run, result.run_id) if result is not None else None
        if result is None or run is None or run.project_id != project_id:
            raise NotFound("test result")
        if str(result.status) not in FAILED or not (result.error or "").strip():
            raise Invalid("this result did not fail: there is nothing to explain")
        step_row = None
        if result.failed_step is not None:
            step_row = session.exec(select(StepResult).where(col(StepResult.test_result_id) == result.id,
                                                             col(StepResult.step_index) == result.failed_step)).first()
        steps = (result.definition or {}).get("steps") or []
        step = steps[result.failed_step] if result.failed_step is not None and result.failed_step < len(steps) else None
        return {"error": result.error or "", "step": step,
                "console": list(step_row.console_errors) if step_row else [],
                "network": list(step_row.network_errors) if step_row else []}


def explain_result(project_id: uuid.UUID, test_result_id: uuid.UUID | str) -> Explanation:
    """Raises NotFound / Invalid for a result that is not this project's or did not fail."""
    failure = _failure(project_id, test_result_id)
    reason = access.status(project_id)
    if reason:
        offline = offline_explanation(failure["error"], failure["step"], failure["console"], failure["network"])
        return Explanation(offline, "offline", offline, reason)
    try:
        access.take_request(project_id)
        client = LLMClient.from_settings()
    except LLMError as exc:
        offline = offline_explanation(failure["error"], failure["step"], failure["console"], failure["network"])
        return Explanation(offline, "offline", offline, exc.message)
    return explain(failure["error"], failure["step"], failure["console"], failure["network"], client=client)
