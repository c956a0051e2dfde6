""""Explain this failure" for a stored failed result, against a local OpenAI-compatible server:
the model gets the error, the failing step and its console/network errors and its summary comes
back; without a model (or not opted in, or over the project's AI rate limit, or a model that
times out) the offline explanation comes back with a note saying why; a result that did not fail
or belongs to another project is refused."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.ai.conftest import use_llm
from tests.ai.llm_server import LocalLLM, Reply
from tests.runs.conftest import Stack
from traceiq_app.models import (
    Run,
    RunStatus,
    RunTrigger,
    StepResult,
    StepStatus,
    TestResult,
    TestResultStatus,
    utcnow,
)
from traceiq_app.services.ai import access
from traceiq_app.services.ai.client import NOT_CONFIGURED
from traceiq_app.services.ai.explain_result import explain_result, project_of_result
from traceiq_app.services.catalog.projects import Invalid, NotFound

ERROR = 'no element matches css="#save" (waited 3000 ms)'


def _result(stack: Stack, project_id: uuid.UUID, status: TestResultStatus = TestResultStatus.failed) -> str:
    with stack.session() as s:
        now = utcnow()
        run = Run(project_id=project_id, trigger=RunTrigger.ui, status=RunStatus.failed, total=1, failed=1,
                  started_at=now, finished_at=now)
        s.add(run)
        s.flush()
        result = TestResult(run_id=run.id, test_name="Place order", status=status, failed_step=1,
                            error=ERROR if status != TestResultStatus.passed else None,
                            definition={"version": 1, "name": "Place order", "steps": [
                                {"action": "goto", "url": "https://shop.test/"},
                                {"action": "click", "target": [{"css": "#save"}]}]},
                            started_at=now, finished_at=now, duration_ms=10)
        s.add(result)
        s.flush()
        s.add(StepResult(test_result_id=result.id, step_index=1, action="click", status=StepStatus.failed,
                         error=ERROR, console_errors=["TypeError: cart is undefined"],
                         network_errors=["GET https://shop.test/api/cart 500"]))
        s.commit()
        return str(result.id)


def test_the_model_explains_with_the_failing_step(stack: Stack, checkout_url: str) -> None:
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    rid = _result(stack, project.id)
    assert project_of_result(rid) == project.id
    with LocalLLM([Reply.chat({"summary": "The cart API failed (500), so the Save button never rendered."})]) as llm:
        use_llm(stack, llm.url)
        found = explain_result(project.id, rid)
    assert (found.source, found.note) == ("llm", "")
    assert found.summary == "The cart API failed (500), so the Save button never rendered."
    sent = json.loads(llm.requests[0]["body"]["messages"][1]["content"])
    assert sent["error"] == ERROR and sent["step"] == {"action": "click", "target": [{"css": "#save"}]}
    assert sent["console_errors"] == ["TypeError: cart is undefined"]
    assert sent["network_errors"] == ["GET https://shop.test/api/cart 500"]


def test_without_a_model_it_says_why_and_explains_offline(stack: Stack, checkout_url: str) -> None:
    project = stack.project(checkout_url)
    rid = _result(stack, project.id)
    found = explain_result(project.id, rid)
    assert (found.source, found.note) == ("offline", NOT_CONFIGURED)
    assert found.summary.startswith('The element was not on the page: its locator css="#save" no longer matches')
    assert "1 network error(s)" in found.summary

    with LocalLLM([Reply.chat({"summary": "never asked"})]) as llm:
        use_llm(stack, llm.url)
        found = explain_result(project.id, rid)  # configured, but the project did not opt in
        assert found.source == "offline" and "not enabled for this project" in found.note
        assert llm.requests == []


def test_the_project_rate_limit_and_a_timeout_fall_back_with_a_note(stack: Stack, checkout_url: str) -> None:
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    rid = _result(stack, project.id)
    with LocalLLM([Reply.chat({"summary": "first"}), Reply.sleep(3)]) as llm:
        use_llm(stack, llm.url, TRACEIQ_LLM_RATE_LIMIT_PER_MINUTE="2", TRACEIQ_LLM_TIMEOUT_SECONDS="1",
                TRACEIQ_LLM_RETRIES="0")
        assert explain_result(project.id, rid).summary == "first"
        slow = explain_result(project.id, rid)
        assert slow.source == "offline" and slow.note.startswith("the language model did not answer within 1 s")
        limited = explain_result(project.id, rid)
        assert limited.source == "offline" and "made 2 AI requests this minute (the limit)" in limited.note
        assert len(llm.requests) == 2


def test_it_refuses_a_passed_result_and_another_projects_result(stack: Stack, checkout_url: str) -> None:
    project, other = stack.project(checkout_url), stack.project(checkout_url)
    with pytest.raises(Invalid, match="this result did not fail"):
        explain_result(project.id, _result(stack, project.id, TestResultStatus.passed))
    with pytest.raises(NotFound):
        explain_result(other.id, _result(stack, project.id))
    assert project_of_result("not-an-id") is None
