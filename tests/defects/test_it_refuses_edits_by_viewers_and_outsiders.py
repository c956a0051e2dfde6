"""Viewers read defects but cannot raise, edit, move, comment on or attach to them; outsiders
see nothing (404). Checked at the service entry points the pages and routes use."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.accounts.matrix_support import session_cookie, state_for
from tests.factories import Personas
from traceiq_app.db import get_engine
from traceiq_app.models import ProjectMember, ProjectRole
from traceiq_app.services.defects import defects
from traceiq_app.state.defects.detail import DefectState

ORIGIN = "http://testserver"


def _bob_viewer(p: Personas) -> None:
    with Session(get_engine()) as s:
        row = s.exec(select(ProjectMember).where(ProjectMember.project_id == p.project.id,
                                                 ProjectMember.user_id == p.bob.id)).one()
        row.role = ProjectRole.viewer
        s.add(row)
        s.commit()


def test_viewers_read_but_cannot_change(personas: Personas) -> None:
    from traceiq_app.api.app import create_api

    p = personas
    defects.create(p.project.id, p.alice.id, {"title": "Logo is blurry", "severity": "minor"})
    _bob_viewer(p)
    base = f"/api/v1/projects/{p.project.id}/defects"
    with TestClient(create_api(), base_url=ORIGIN) as client:
        client.cookies.set("tiq_session", session_cookie(p.bob.id))
        assert client.get(base).json()["items"][0]["key"] == "DEF-1"
        assert client.get(f"{base}/DEF-1").status_code == 200
        created = client.post(base, json={"title": "mine"}, headers={"Origin": ORIGIN})
        assert created.status_code == 403 and "editor" in created.text
        moved = client.post(f"{base}/DEF-1/transition", json={"status": "assigned"}, headers={"Origin": ORIGIN})
        assert moved.status_code == 403
        client.cookies.set("tiq_session", session_cookie(p.charlie.id))
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/DEF-1").status_code == 404
        assert "Logo" not in client.get(f"{base}.csv").text

    state = state_for(DefectState, session_cookie(p.bob.id))
    state.pid, state.key = str(p.project.id), "DEF-1"
    state.move("assigned")
    state.save({"severity": "blocker"})
    assert "editor" in state.form_error
    state.add_comment({"body": "me too"})
    found = defects.get(p.project.id, "DEF-1")
    assert (found.status, found.severity) == ("new", "minor")
