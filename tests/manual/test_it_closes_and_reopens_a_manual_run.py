"""Closing a manual run: who closed it and when; a closed run refuses marks, overrides and
screenshots with a clear message; the list shows open vs closed and % complete; reopening lets
testers mark again (SQLite and Postgres)."""

from __future__ import annotations

import pytest

from tests.manual.manual_support import PNG, seed_run
from tests.support.webapp import principal_of
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.manual import attachments, lifecycle, runs


def test_a_closed_run_refuses_marks_until_it_is_reopened(personas_any) -> None:  # type: ignore[no-untyped-def]
    personas = personas_any
    alice, bob = principal_of(personas.alice), principal_of(personas.bob)
    pid = personas.project.id
    run = seed_run(pid, alice, personas.bob.id)
    view = runs.run_view(pid, run.id)
    login = view.tests[1]
    steps = runs.test_steps(pid, run.id, login.id)
    for step in steps:
        runs.record_step(pid, run.id, step.id, bob, status="passed", expected_version=step.version)
    checkout_steps = runs.test_steps(pid, run.id, view.tests[0].id)

    lifecycle.close_run(pid, run.id, bob)
    view = runs.run_view(pid, run.id)
    assert (view.status, view.closed_by) == ("closed", "bob@acme.test")
    assert view.closed_at.endswith("UTC")
    listed = runs.list_runs(pid)
    assert [(r.name, r.status, r.percent, r.closed_by) for r in listed] == [
        ("Release 2.4", "closed", 50, "bob@acme.test")]

    with pytest.raises(lifecycle.RunClosed) as refused:
        runs.record_step(pid, run.id, checkout_steps[0].id, alice, status="failed", expected_version=0)
    message = refused.value.message
    assert message.startswith("This manual run was closed by bob@acme.test at ")
    assert "Reopen the run" in message
    assert runs.test_steps(pid, run.id, view.tests[0].id)[0].status == "untested"  # nothing written
    with pytest.raises(lifecycle.RunClosed):
        runs.override_outcome(pid, run.id, view.tests[0].id, alice, outcome="blocked", reason="late")
    with pytest.raises(lifecycle.RunClosed):
        attachments.add_to_step(pid, checkout_steps[0].id, "shot.png", PNG, alice)
    with pytest.raises(Invalid, match="already closed"):
        lifecycle.close_run(pid, run.id, alice)

    lifecycle.reopen_run(pid, run.id, alice)
    view = runs.run_view(pid, run.id)
    assert (view.status, view.closed_by, view.closed_at) == ("open", "", "")
    marked = runs.record_step(pid, run.id, checkout_steps[0].id, alice, status="failed", expected_version=0)
    assert marked.status == "failed"

    log = [(a["who"], a["what"]) for a in runs.activity(pid, run.id)]
    assert log[:3] == [("alice@acme.test", "marked step 1 of 'Checkout by card' failed"),
                       ("alice@acme.test", "reopened the run"), ("bob@acme.test", "closed the run")]
