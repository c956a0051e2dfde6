"""Without a model (none configured, or the project did not opt in): a clear explanation, the
offline generator turns plain sentences into a dry-run draft, bad descriptions are refused with
the reason, and failures are explained by offline rules."""

from __future__ import annotations

from tests.ai.conftest import use_llm
from tests.ai.llm_server import LocalLLM, Reply
from tests.runs.conftest import Stack
from traceiq_app.services.ai import access
from traceiq_app.services.ai.client import LLMClient
from traceiq_app.services.ai.drafts import generate_draft
from traceiq_app.services.ai.explain import explain
from traceiq_app.services.catalog.test_cases import get_test_case


def test_it_explains_why_ai_is_off(stack: Stack, checkout_url: str) -> None:
    project = stack.project(checkout_url)
    assert "no language model configured (set TRACEIQ_LLM_BASE_URL" in access.status(project.id)
    use_llm(stack, "http://127.0.0.1:9/v1")
    assert "not enabled for this project" in access.status(project.id)
    access.set_enabled(project.id, True)
    assert access.status(project.id) == ""


def test_it_generates_offline_from_plain_sentences(stack: Stack, engine, checkout_url: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(checkout_url)
    result = generate_draft(project.id, "Fill 'alice@example.com' into Email address. Check I accept the terms. "
                            "Click Place order. Expect 'save'", checkout_url, engine=engine)
    assert result.source == "offline" and result.problems == []
    assert result.dry_run is not None and result.dry_run.status == "passed", result.dry_run
    draft = get_test_case(project.id, result.test_id)
    assert [s["action"] for s in draft.steps] == ["goto", "fill", "check", "click", "assert_visible"]
    assert draft.name.startswith("Draft: ") and "draft" in draft.tags


def test_it_refuses_bad_descriptions_with_the_reason(stack: Stack, engine, checkout_url: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(checkout_url)
    assert generate_draft(project.id, "  ", checkout_url, engine=engine).problems == [
        "description: say what the test should do"]
    assert generate_draft(project.id, "click Save", "ftp://x", engine=engine).problems == [
        "start URL: 'ftp://x' is not an http(s) URL"]
    vague = generate_draft(project.id, "make sure it works", checkout_url, engine=engine)
    assert vague.test_id is None
    assert vague.problems[0].startswith("could not turn 'make sure it works' into a step")


def test_it_explains_failures_offline_and_with_a_model() -> None:
    error = "step 2 (click): no element matches css=\"#save\" (waited 10 s)"
    offline = explain(error, network=["GET /api 500"])
    assert offline.source == "offline" and 'locator css="#save" no longer matches' in offline.summary
    assert "1 network error(s), first: GET /api 500" in offline.summary
    with LocalLLM([Reply.chat({"summary": "The Save button was renamed to Place order."})]) as llm:
        client = LLMClient(llm.url, "local-model", retries=0)
        assert explain(error, client=client).summary == "The Save button was renamed to Place order."
    with LocalLLM([Reply.chat("not json")]) as llm:
        fallback = explain(error, client=LLMClient(llm.url, "local-model", retries=0))
    assert fallback.source == "offline" and fallback.summary == fallback.offline
