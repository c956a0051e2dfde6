"""Model-ranked healing against a local OpenAI-compatible server, in a real Chromium: the "Place
order" button was replaced by two look-alike twins, a near-tie the offline score refuses. With
the project's AI on, the model ranks the tie and its pick heals the step (recorded as ranked by
the model); a slow model, an erroring one and a nonsense answer fall back to the rapidfuzz order
(the tie is refused) within the time budget; a clear winner never waits for the model."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ai.conftest import use_llm
from tests.ai.llm_server import LocalLLM, Reply
from tests.engine.healing_site import mutations, render, steps_for
from tests.runs.conftest import Stack
from tests.support.processes import serve_directory
from traceiq_app.engine.healing import HealingOptions
from traceiq_app.engine.healing.matcher import ask_ranker
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions
from traceiq_app.services.ai import access
from traceiq_app.services.ai.rank import model_ranker, ranker_for

BUDGET_MS = 800


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("rank-site")
    (folder / "v1.html").write_text(render(), encoding="utf-8")
    by_name = {m.name: m for m in mutations()}
    (folder / "twins.html").write_text(render(by_name["save-two-twins"]), encoding="utf-8")
    (folder / "renamed.html").write_text(render(by_name["save-renamed-id"]), encoding="utf-8")
    with serve_directory(folder) as url:
        yield url + "/"


def _test(url: str, timeout_ms: int = 400) -> TestDefinition:
    # Only the click: which twin the model picks is its business (both are "Place order").
    steps = [{"action": "goto", "url": url}, *steps_for("save", {"css": "#save"})[:1]]
    steps[1]["timeout_ms"] = timeout_ms
    return TestDefinition.model_validate({"version": 1, "name": "heal save", "steps": steps})


def _store(engine, site: str) -> dict:  # type: ignore[no-untyped-def]
    first = engine.run(_test(site + "v1.html", 5_000), RunOptions(trace="off", healing=HealingOptions()))
    assert first.status == "passed", first.error
    return first.fingerprints


def _heal(engine, site: str, page: str, store: dict, ranker):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = engine.run(_test(site + page), RunOptions(trace="off", healing=HealingOptions(
        fingerprints=store, heal=True, ranker=ranker, rank_budget_ms=BUDGET_MS)))
    return result, (time.monotonic() - started) * 1000


def test_the_model_breaks_a_near_tie_and_is_recorded(stack: Stack, engine, site: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(site)
    store = _store(engine, site)
    offline, _ = _heal(engine, site, "twins.html", store, None)
    assert offline.status == "failed" and "two elements are too close to tell apart" in (offline.error or "")

    access.set_enabled(project.id, True)
    with LocalLLM([Reply.chat({"order": [1, 0]})]) as llm:
        use_llm(stack, llm.url)
        ranker = ranker_for(project.id)
        assert ranker is not None
        result, _ = _heal(engine, site, "twins.html", store, ranker)
    assert result.status == "passed", result.error
    record = result.steps[1].healed
    assert record is not None and record["ranked_by"] == "model", record
    assert record["rank_note"].startswith("ranked by the model in")
    # The model saw the stored element and exactly the tied candidates (both twins).
    prompt = json.loads(llm.requests[0]["body"]["messages"][1]["content"])
    assert prompt["before"]["name"] == "Place order"
    assert sorted(c["id"] for c in prompt["candidates"].values()) == ["save-a", "save-b"]
    assert record["to"] in ('css="#save-b"', 'css="#save-a"'), record
    chosen = prompt["candidates"]["1"]["id"]
    assert record["to"] == f'css="#{chosen}"', (record, prompt)


@pytest.mark.parametrize("reply, note", [
    (Reply.sleep(5), f"did not rank within {BUDGET_MS} ms"),
    (Reply.error(500), "could not rank"),
    (Reply.chat("I think the first one, probably"), "could not rank"),
    (Reply.chat({"order": [7]}), "named no candidate"),
], ids=["slow", "http-500", "not-json", "no-such-candidate"])
def test_it_falls_back_to_the_rapidfuzz_order_within_the_budget(stack: Stack, engine, site: str,  # type: ignore[no-untyped-def]
                                                                reply: Reply, note: str) -> None:
    project = stack.project(site)
    access.set_enabled(project.id, True)
    store = _store(engine, site)
    with LocalLLM([reply]) as llm:
        use_llm(stack, llm.url)
        ranker = model_ranker(project.id, BUDGET_MS)
        started = time.monotonic()
        result, _ = _heal(engine, site, "twins.html", store, ranker)
        elapsed_ms = (time.monotonic() - started) * 1000
        assert len(llm.requests) == 1
        started = time.monotonic()
        order, why = ask_ranker(ranker, {"tag": "button"}, [{"tag": "button"}, {"tag": "button"}], BUDGET_MS)
        asked_ms = (time.monotonic() - started) * 1000
    assert result.status == "failed" and "two elements are too close to tell apart" in (result.error or "")
    # The step's own wait (400 ms) + page load + the budget; never the slow model's 5 s.
    assert elapsed_ms < 400 + BUDGET_MS + 2_500, elapsed_ms
    assert order is None and note in why, why
    assert asked_ms < BUDGET_MS + 2_000, asked_ms  # loose under CI load: never the slow model's 5 s


def test_a_clear_winner_never_asks_the_model(stack: Stack, engine, site: str) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(site)
    access.set_enabled(project.id, True)
    store = _store(engine, site)
    with LocalLLM([Reply.chat({"order": [0]})]) as llm:
        use_llm(stack, llm.url)
        result, _ = _heal(engine, site, "renamed.html", store, ranker_for(project.id))
    assert result.status == "passed", result.error
    assert result.steps[1].healed is not None and result.steps[1].healed["ranked_by"] == "rapidfuzz"
    assert llm.requests == []


def test_no_ranker_when_the_project_did_not_enable_ai(stack: Stack, site: str) -> None:
    project = stack.project(site)
    with LocalLLM([Reply.chat({"order": [0]})]) as llm:
        use_llm(stack, llm.url)
        assert ranker_for(project.id) is None


def test_a_proposal_says_the_model_picked_it() -> None:
    from datetime import UTC, datetime

    from traceiq_app.services.healing.proposals import ProposalView
    from traceiq_app.state.healing.review import _row

    change = {"step": 1, "field": "target", "from_text": 'css="#save"', "to_text": 'css="#save-b"', "score": 0.8}
    view = ProposalView("p", "t", "Place order", None, "open", 1, None, datetime.now(UTC),
                        [{**change, "ranked_by": "model"}])
    assert _row(view)["ranked"] == "model"
    view.changes = [{**change, "ranked_by": "rapidfuzz"}]
    assert _row(view)["ranked"] == ""
