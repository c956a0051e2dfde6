"""The workflow is enforced on the server: every illegal move is refused with a message naming
the allowed next statuses, both through the service and /api/v1; the history records who moved
it and when, including a reopen."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.accounts.matrix_support import session_cookie
from tests.factories import Personas
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.defects import defects, listing, workflow

ORIGIN = "http://testserver"


def test_it_refuses_every_move_off_the_workflow(personas: Personas) -> None:
    p = personas
    defects.create(p.project.id, p.alice.id, {"title": "Cart empties itself"})
    with pytest.raises(Invalid) as exc:
        defects.transition(p.project.id, "DEF-1", p.alice.id, "CLOSED")
    assert exc.value.message == "A defect that is NEW cannot move to CLOSED; next: ASSIGNED."
    with pytest.raises(Invalid, match="choose who works on it"):
        defects.transition(p.project.id, "DEF-1", p.alice.id, "assigned")
    with pytest.raises(Invalid, match="is not a defect status"):
        defects.transition(p.project.id, "DEF-1", p.alice.id, "done")
    for current, allowed in workflow.NEXT.items():
        for target in workflow.STATUSES:
            if target not in allowed:
                with pytest.raises(Invalid):
                    workflow.check(current, target)
            else:
                assert workflow.check(current, target) == target

    defects.update(p.project.id, "DEF-1", p.alice.id, {"assignee_id": str(p.bob.id)})  # NEW -> ASSIGNED
    path = ["in_progress", "fixed", "awaiting_verification", "reopened", "in_progress", "fixed",
            "awaiting_verification", "verified_fixed", "closed", "reopened"]
    for status in path:
        defects.transition(p.project.id, "DEF-1", p.bob.id, status)
    with pytest.raises(Invalid, match="REOPENED cannot move to CLOSED; next: ASSIGNED or IN PROGRESS"):
        defects.transition(p.project.id, "DEF-1", p.bob.id, "closed")
    moves = [(e["who"], e["old"], e["new"]) for e in listing.view(p.project.id, "DEF-1")["history"]
             if e["field"] == "status"]
    assert moves[0] == ("Alice", "NEW", "ASSIGNED")
    assert [m[2] for m in moves[1:]] == [workflow.label(s) for s in path]
    assert all(m[0] == "Bob" for m in moves[1:])


def test_it_refuses_illegal_moves_over_the_api(personas: Personas) -> None:
    from traceiq_app.api.app import create_api

    p = personas
    defects.create(p.project.id, p.alice.id, {"title": "Search returns nothing"})
    with TestClient(create_api(), base_url=ORIGIN) as client:
        client.cookies.set("tiq_session", session_cookie(p.alice.id))
        response = client.post(f"/api/v1/projects/{p.project.id}/defects/DEF-1/transition", json={"status": "FIXED"},
                               headers={"Origin": ORIGIN})
        assert response.status_code == 422
        assert "A defect that is NEW cannot move to FIXED; next: ASSIGNED" in response.text
        assert defects.get(p.project.id, "DEF-1").status == "new"
