"""Assigning a defect and moving it publish `defect.assigned` / `defect.status_changed`
through notifications: project members find them in the in-app bell."""

from __future__ import annotations

from tests.factories import Personas
from traceiq_app.services.defects import defects
from traceiq_app.services.notifications import inbox


def test_the_bell_shows_defect_events(personas: Personas) -> None:
    p = personas
    defects.create(p.project.id, p.alice.id, {"title": "Checkout button hidden on mobile"})
    assert inbox.unread_count(p.bob.id) == 0
    defects.update(p.project.id, "DEF-1", p.alice.id, {"assignee_id": str(p.bob.id)})
    defects.transition(p.project.id, "DEF-1", p.bob.id, "in progress")
    titles = [n["title"] for n in inbox.recent(p.bob.id)]
    assert any(t.startswith("Defect assigned") and "DEF-1 Checkout button hidden on mobile" in t for t in titles)
    assert sum(t.startswith("Defect status changed") for t in titles) == 2  # NEW -> ASSIGNED, -> IN PROGRESS
    links = {n.get("url") for n in inbox.recent(p.bob.id)}
    assert f"/projects/{p.project.id}/defects/DEF-1" in links
