"""The "Generate draft" button's path: the request is checked (clear messages, nothing queued),
then a real `traceiq worker` runs jobs/ai_generate.py against the local model and the draft
test lands in the project."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.ai.conftest import good_test, use_llm
from tests.ai.llm_server import LocalLLM, Reply
from tests.runs.conftest import Stack
from traceiq_app.models import TestCase
from traceiq_app.services.ai import access
from traceiq_app.services.ai.drafts import enqueue_generation


def test_it_refuses_bad_requests_before_queueing(stack: Stack) -> None:
    project = stack.project("http://127.0.0.1:9")
    with pytest.raises(ValueError, match=r"description: say what the test should do; start URL: 'file:///etc' is not"):
        enqueue_generation(project.id, None, " ", "file:///etc")
    with pytest.raises(ValueError, match="description: at most 4000 characters"):
        enqueue_generation(project.id, None, "x" * 4001, "https://x.test/")


def test_it_generates_a_draft_in_a_worker(stack: Stack, checkout_url: str) -> None:
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    with LocalLLM([Reply.chat(good_test(checkout_url))]) as llm:
        use_llm(stack, llm.url)
        stack.start_worker()
        enqueue_generation(project.id, None, "Place an order", checkout_url)

        def draft() -> TestCase | None:
            with stack.session() as s:
                return s.exec(select(TestCase).where(TestCase.project_id == project.id)).first()

        case = stack.wait_for(draft, timeout=90, what="the draft test")
    assert case.name == "Draft: Place an order" and "draft" in case.tags
    assert len(llm.requests) == 1
