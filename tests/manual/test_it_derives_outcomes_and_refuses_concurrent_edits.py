"""Manual runs at the service level: the outcome rule, progress, overrides, the refusal of a
concurrent edit of one step, who did what and when, and manual test versions/diffs."""

from __future__ import annotations

import pytest

from tests.manual.manual_support import CHECKOUT, seed_run
from tests.support.webapp import principal_of
from traceiq_app.services.catalog import manual_cases
from traceiq_app.services.catalog import test_cases as catalog_cases
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.manual import runs


@pytest.mark.parametrize(("statuses", "outcome"), [
    (["passed", "failed", "blocked"], "failed"),
    (["passed", "blocked", "retest"], "blocked"),
    (["passed", "retest", "skipped"], "retest"),
    (["passed", "skipped", "passed"], "passed"),
    (["skipped", "skipped"], "passed"),
    (["untested", "untested"], "untested"),
    (["passed", "untested"], "in_progress"),
    (["untested", "failed"], "failed"),
])
def test_the_outcome_follows_from_the_steps(statuses: list[str], outcome: str) -> None:
    assert runs.derive_outcome(statuses) == outcome


def test_a_run_records_steps_refuses_a_stale_edit_and_tracks_progress(personas_any) -> None:  # type: ignore[no-untyped-def]
    personas = personas_any
    alice, bob = principal_of(personas.alice), principal_of(personas.bob)
    pid = personas.project.id
    run = seed_run(pid, alice, personas.bob.id)
    view = runs.run_view(pid, run.id)
    assert [t.name for t in view.tests] == ["Checkout by card", "Sign in"]
    assert (view.complete, view.total, view.percent) == (0, 2, 0)
    assert view.tests[1].assignee == "bob@acme.test"
    checkout = view.tests[0]
    steps = runs.test_steps(pid, run.id, checkout.id)
    assert [s.action for s in steps] == [s["action"] for s in CHECKOUT]

    first = runs.record_step(pid, run.id, steps[0].id, alice, status="passed", expected_version=0)
    assert (first.status, first.version, first.by) == ("passed", 1, "alice@acme.test") and first.at
    assert runs.run_view(pid, run.id).tests[0].outcome == "in_progress"

    # bob loaded step 2 at version 0 too; alice marks it first; bob's write is refused.
    runs.record_step(pid, run.id, steps[1].id, alice, status="failed", actual="Cart shows 0 items",
                     expected_version=0)
    with pytest.raises(runs.Conflict) as refused:
        runs.record_step(pid, run.id, steps[1].id, bob, status="passed", expected_version=0)
    assert "marked failed by alice@acme.test" in refused.value.message
    assert "not saved" in refused.value.message
    kept = runs.test_steps(pid, run.id, checkout.id)[1]
    assert (kept.status, kept.actual, kept.by) == ("failed", "Cart shows 0 items", "alice@acme.test")

    runs.record_step(pid, run.id, steps[2].id, bob, status="blocked", expected_version=0)
    view = runs.run_view(pid, run.id)
    assert view.tests[0].outcome == "failed"  # any failed -> failed, even with a blocked step
    assert (view.complete, view.percent) == (1, 50)

    # Override with a reason; without one it is refused.
    with pytest.raises(Invalid):
        runs.override_outcome(pid, run.id, checkout.id, alice, outcome="passed", reason=" ")
    runs.override_outcome(pid, run.id, checkout.id, alice, outcome="blocked", reason="Payment sandbox down")
    view = runs.run_view(pid, run.id)
    assert (view.tests[0].outcome, view.tests[0].derived, view.tests[0].override_reason) == (
        "blocked", "failed", "Payment sandbox down")

    login = runs.test_steps(pid, run.id, view.tests[1].id)
    for step in login:
        runs.record_step(pid, run.id, step.id, bob, status="passed", expected_version=step.version)
    view = runs.run_view(pid, run.id)
    assert (view.tests[1].outcome, view.complete, view.percent) == ("passed", 2, 100)

    log = runs.activity(pid, run.id)
    whats = [(a["who"], a["what"]) for a in log]
    assert ("alice@acme.test", "started the run with 2 tests") in whats
    assert ("alice@acme.test", "marked step 2 of 'Checkout by card' failed — Cart shows 0 items") in whats
    assert ("bob@acme.test", "marked step 3 of 'Checkout by card' blocked") in whats
    assert not any(w == "bob@acme.test" and "step 2 of 'Checkout" in t for w, t in whats)  # the refused one
    assert all(a["at"] for a in log)


def test_manual_tests_have_versions_and_diffs_and_stay_out_of_automated_runs(personas) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from traceiq_app.db import get_engine
    from traceiq_app.models import RunSelection
    from traceiq_app.services.runs.control import select_tests

    pid, alice = personas.project.id, principal_of(personas.alice)
    case = manual_cases.create_manual_case(pid, "Checkout", CHECKOUT, preconditions="Logged in",
                                           author_id=alice.user_id)
    assert case.kind == "manual" and case.version == 1
    changed = [*CHECKOUT[:2], {**CHECKOUT[2], "expected": "An order number and an e-mail"}]
    case = manual_cases.update_manual_case(pid, case.id, name="Checkout", steps=changed, preconditions="Logged in",
                                           expected_version=1, author_id=alice.user_id)
    assert case.version == 2
    versions = catalog_cases.list_versions(pid, case.id)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].definition["kind"] == "manual" and versions[1].definition["preconditions"] == "Logged in"
    diff = catalog_cases.diff_versions(pid, case.id, 1, 2)
    assert [c.kind for c in diff.steps] == ["same", "same", "changed"]
    assert any(f.field == "expected" for f in diff.steps[2].fields)
    with pytest.raises(Invalid, match="changed by someone else"):
        manual_cases.update_manual_case(pid, case.id, name="X", steps=CHECKOUT, expected_version=1)
    with pytest.raises(Invalid, match="step 1 needs an action"):
        manual_cases.create_manual_case(pid, "Bad", [{"action": "", "data": "x", "expected": "y"}])
    with Session(get_engine()) as s:
        assert case.id not in {c.id for c in select_tests(s, pid, RunSelection())}
