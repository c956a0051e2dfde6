"""Bad input to the healing services: a clear message, nothing changed."""

from __future__ import annotations

import uuid

import pytest

from tests.healing.conftest import CheckoutSite, order_steps
from tests.runs.conftest import Stack
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.healing import proposals, store


def test_it_refuses_an_unknown_mode(stack: Stack, checkout: CheckoutSite) -> None:
    project = stack.project(checkout.url)
    with pytest.raises(Invalid, match="healing mode: choose one of off, report, heal"):
        store.set_mode(project.id, "always")
    assert store.get_mode(project.id) == "report"


def test_it_refuses_unknown_or_foreign_proposals_and_bad_status(stack: Stack, checkout: CheckoutSite) -> None:
    project = stack.project(checkout.url)
    other = stack.project(checkout.url)
    case = stack.test_case(project, "Place order", order_steps(checkout.page_url))
    from traceiq_app.db import session_scope

    with session_scope() as session:
        pid = proposals.propose(session, project_id=project.id, run_id=None, test_result_id=None,  # type: ignore[arg-type]
                                test_case_id=case.id, definition={"steps": order_steps(checkout.page_url)},
                                healed=[(1, {"slot": "1", "locator": {"css": "#place-order"}, "from": 'css="#save"',
                                             "to": 'css="#place-order"', "score": 0.9})])
    assert pid is not None
    for bad in ("not-a-uuid", uuid.uuid4()):
        with pytest.raises(NotFound, match="proposal not found"):
            proposals.accept(project.id, bad, None)
    with pytest.raises(NotFound):
        proposals.reject(other.id, pid, None)  # another project's proposal: not found
    with pytest.raises(Invalid, match="status: one of open, accepted, rejected, superseded"):
        proposals.list_proposals(project.id, "done")
    proposals.reject(project.id, pid, None)
    with pytest.raises(Invalid, match="already rejected"):
        proposals.accept(project.id, pid, None)


def test_it_refuses_to_accept_when_the_step_changed_since(stack: Stack, checkout: CheckoutSite) -> None:
    from traceiq_app.db import session_scope
    from traceiq_app.services.catalog.test_cases import get_test_case, update_test_case

    project = stack.project(checkout.url)
    case = stack.test_case(project, "Place order", order_steps(checkout.page_url))
    with session_scope() as session:
        pid = proposals.propose(session, project_id=project.id, run_id=None, test_result_id=None,  # type: ignore[arg-type]
                                test_case_id=case.id, definition={"steps": order_steps(checkout.page_url)},
                                healed=[(1, {"slot": "1", "locator": {"css": "#place-order"}, "from": 'css="#save"',
                                             "to": 'css="#place-order"', "score": 0.9})])
    steps = order_steps(checkout.page_url)
    steps[1]["target"] = {"css": "#save-now"}
    update_test_case(project.id, case.id, steps=steps)
    with pytest.raises(Invalid, match="step 2 changed since this run"):
        proposals.accept(project.id, pid, None)
    assert get_test_case(project.id, case.id).steps[1]["target"] == {"css": "#save-now"}  # untouched
    assert [p.status for p in proposals.list_proposals(project.id, None)] == ["superseded"]
