"""TRACEIQ_LLM_RANK_BUDGET_MS is the time a healing step gives the model to rank its candidates:
the worker's healing options carry it, and the model's request is cut to fit it."""

from __future__ import annotations

from tests.ai.conftest import use_llm
from tests.ai.llm_server import LocalLLM, Reply
from tests.runs.conftest import Stack, goto
from traceiq_app.engine.healing import DEFAULT_RANK_BUDGET_MS
from traceiq_app.services.ai import access
from traceiq_app.services.healing import store


def test_it_gives_the_model_ranker_the_configured_budget(stack: Stack, runs_site: str) -> None:
    project = stack.project(runs_site)
    case = stack.test_case(project, "heals", [goto("/index.html")])
    store.set_mode(project.id, "heal")
    access.set_enabled(project.id, True)
    with LocalLLM([Reply.chat({"order": [0]})]) as llm:
        use_llm(stack, llm.url)
        options = store.options_for_run(project.id, case.id)
        assert options is not None and options.ranker is not None
        assert options.rank_budget_ms == DEFAULT_RANK_BUDGET_MS == 1500
        use_llm(stack, llm.url, TRACEIQ_LLM_RANK_BUDGET_MS="250")
        options = store.options_for_run(project.id, case.id)
        assert options is not None and options.rank_budget_ms == 250
