"""Generation against a local OpenAI-compatible server: malformed JSON and an invalid step are
sent back and retried, the valid answer is dry-run in a real browser and lands as a draft test;
a model that never answers validly, a timeout and a 429 are reported and nothing is saved."""

from __future__ import annotations

import json

from sqlmodel import select

from tests.ai.conftest import good_test, use_llm
from tests.ai.llm_server import LocalLLM, Reply
from tests.runs.conftest import Stack
from traceiq_app.models import TestCase
from traceiq_app.services.ai import access
from traceiq_app.services.ai.drafts import generate_draft
from traceiq_app.services.catalog.test_cases import get_test_case


def _cases(stack: Stack, project_id) -> list[TestCase]:  # type: ignore[no-untyped-def]
    with stack.session() as s:
        return list(s.exec(select(TestCase).where(TestCase.project_id == project_id)).all())


def test_it_retries_bad_output_and_saves_a_dry_run_draft(stack: Stack, engine, checkout_url: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    script = [Reply.chat("Sure! Here is your test: {steps: [oops"),
              Reply.chat({"name": "x", "steps": [{"action": "tap", "target": [{"css": "#save"}]}]}),
              Reply.chat(good_test(checkout_url))]
    with LocalLLM(script) as llm:
        use_llm(stack, llm.url)
        result = generate_draft(project.id, "Place an order as alice@example.com", checkout_url, engine=engine)
    assert result.source == "llm" and result.attempts == 3, result.problems
    assert result.dry_run is not None and result.dry_run.status == "passed", result.dry_run
    draft = get_test_case(project.id, result.test_id)
    assert draft.name == "Draft: Place an order" and set(draft.tags) == {"draft", "ai"}
    assert draft.steps == good_test(checkout_url)["steps"]
    # What the model saw: the schema, the description, the page's snapshot; then each problem.
    first, second, third = (r["body"] for r in llm.requests)
    assert first["model"] == "local-model" and first["response_format"] == {"type": "json_object"}
    user = first["messages"][1]["content"]
    assert "Place an order as alice@example.com" in user and 'button "Place order"' in user
    assert "not valid JSON" in second["messages"][-1]["content"]
    assert "unknown action 'tap'" in third["messages"][-1]["content"]
    assert llm.requests[0]["headers"]["Authorization"] == "Bearer sk-local-test-key"


def test_it_reports_a_model_that_never_answers_validly_and_saves_nothing(stack: Stack, engine,  # type: ignore[no-untyped-def]
                                                                          checkout_url: str) -> None:
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    with LocalLLM([Reply.chat('{"steps": "none"}')]) as llm:
        use_llm(stack, llm.url)
        result = generate_draft(project.id, "Place an order", checkout_url, engine=engine)
    assert result.test_id is None and len(llm.requests) == 3
    assert result.problems == ['the model gave no valid test in 3 attempts: the answer must be an object '
                               '{"name": ..., "steps": [...]} with at least one step']
    assert _cases(stack, project.id) == []


def test_it_reports_a_timeout_and_a_429_after_retrying(stack: Stack, engine, checkout_url: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    with LocalLLM([Reply.sleep(3)]) as llm:
        use_llm(stack, llm.url, TRACEIQ_LLM_TIMEOUT_SECONDS="0.5", TRACEIQ_LLM_RETRIES="1")
        slow = generate_draft(project.id, "Place an order", checkout_url, engine=engine)
    assert slow.problems == ["the language model did not answer within 0.5 s"] and len(llm.requests) == 2
    with LocalLLM([Reply.error(429, retry_after="0")]) as llm:
        use_llm(stack, llm.url, TRACEIQ_LLM_RETRIES="2")
        limited = generate_draft(project.id, "Place an order", checkout_url, engine=engine)
    assert limited.problems == ["the language model's provider is rate limiting us (429); try again in a minute"]
    assert len(llm.requests) == 3
    with LocalLLM([Reply.error(429, retry_after="0"), Reply.chat(good_test(checkout_url))]) as llm:
        use_llm(stack, llm.url, TRACEIQ_LLM_RETRIES="2")
        recovered = generate_draft(project.id, "Place an order", checkout_url, engine=engine)
    assert recovered.test_id is not None and len(llm.requests) == 2
    assert [c.name for c in _cases(stack, project.id)] == ["Draft: Place an order"]


def test_it_keeps_the_key_and_secrets_out_of_the_audit_log(stack: Stack, engine, checkout_url: str,  # type: ignore[no-untyped-def]
                                                           caplog) -> None:
    import logging

    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    with LocalLLM([Reply.chat(good_test(checkout_url))]) as llm, caplog.at_level(logging.INFO, "traceiq.ai"):
        use_llm(stack, llm.url)
        generate_draft(project.id, "Sign in with password hunter2-secret then place an order", checkout_url,
                       engine=engine, secrets=["hunter2-secret"])
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "traceiq.ai")
    assert "llm request" in logged and "llm response" in logged
    assert "sk-local-test-key" not in logged and "hunter2-secret" not in logged
    sent = json.dumps(llm.requests[0]["body"], ensure_ascii=False)
    assert "hunter2-secret" not in sent and "•••" in sent


def test_it_rate_limits_per_project(stack: Stack, engine, checkout_url: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(checkout_url)
    access.set_enabled(project.id, True)
    with LocalLLM([Reply.chat(good_test(checkout_url))]) as llm:
        use_llm(stack, llm.url, TRACEIQ_LLM_RATE_LIMIT_PER_MINUTE="1")
        assert generate_draft(project.id, "Place an order", checkout_url, engine=engine).test_id
        second = generate_draft(project.id, "Place an order", checkout_url, engine=engine)
    assert second.problems == ["this project made 1 AI requests this minute (the limit); try again in a minute"]
    assert len(llm.requests) == 1
