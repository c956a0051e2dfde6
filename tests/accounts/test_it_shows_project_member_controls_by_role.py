"""The /projects/<id>/members page state offers each role only the controls it may use: owners
get every role and every row, project admins everything but the owner role and owners' rows,
editors and viewers a read-only list; crafted calls from them change nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from tests.accounts.matrix_support import state_for
from tests.factories import add_org_member, add_project_member, make_user
from traceiq_app.db import get_engine, session_scope
from traceiq_app.models import OrgRole, ProjectMember, ProjectRole, User
from traceiq_app.services.accounts import web_sessions
from traceiq_app.state.accounts.project_members import ProjectMembersState


def _page(personas, user_id) -> ProjectMembersState:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        cookie = web_sessions.create_session(s, s.get(User, user_id))  # type: ignore[arg-type]
    path = f"/projects/{personas.project.id}/members"
    state = state_for(ProjectMembersState, cookie, path)
    state.load()
    return state


def _editable(state: ProjectMembersState) -> dict[str, bool]:
    return {r["email"].split("@")[0]: r["editable"] == "yes" for r in state.rows}


def _roles(personas) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        rows = s.exec(select(User.email, ProjectMember.role).join(ProjectMember, ProjectMember.user_id == User.id)  # type: ignore[arg-type]
                      .where(ProjectMember.project_id == personas.project.id)).all()
        return {email.split("@")[0]: str(role) for email, role in rows}


def test_it_shows_each_role_only_its_controls(personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        pat = make_user(s, "pat@acme.test")
        frank = make_user(s, "frank@acme.test")
        add_org_member(s, personas.acme, pat, OrgRole.member)
        add_org_member(s, personas.acme, frank, OrgRole.member)
        add_project_member(s, personas.project, pat, ProjectRole.admin)
        s.commit()

    owner = _page(personas, personas.alice.id)
    assert owner.error == "" and owner.project_name == "Web shop"
    assert owner.can_manage and owner.can_make_owner and owner.role_choices == ["owner", "admin", "editor", "viewer"]
    assert _editable(owner) == {"alice": True, "bob": True, "pat": True}
    assert [c["email"] for c in owner.candidates] == ["frank@acme.test"]

    admin = _page(personas, pat.id)
    assert admin.can_manage and not admin.can_make_owner and admin.role_choices == ["admin", "editor", "viewer"]
    assert _editable(admin) == {"alice": False, "bob": True, "pat": True}

    editor = _page(personas, personas.bob.id)
    assert editor.rows and not editor.can_manage and editor.candidates == []
    assert not any(_editable(editor).values())
    # Crafted calls from the editor: refused, nothing changes.
    before = _roles(personas)
    editor.set_role(str(personas.bob.id), "admin")
    editor.remove(str(pat.id))
    editor.add({"user_id": str(frank.id), "role": "admin"})
    assert _roles(personas) == before

    # The admin's change goes through and the page shows it.
    admin.set_role(str(personas.bob.id), "viewer")
    assert {r["email"]: r["role"] for r in admin.rows}["bob@acme.test"] == "viewer"
    admin.add({"user_id": str(frank.id), "role": "editor"})
    assert _roles(personas) == {"alice": "owner", "bob": "viewer", "pat": "admin", "frank": "editor"}
    assert admin.candidates == []
    admin.set_role(str(personas.alice.id), "viewer")  # an owner's row: refused
    assert _roles(personas)["alice"] == "owner"

    outsider = _page(personas, personas.charlie.id)
    assert outsider.error == "project not found" and outsider.rows == [] and outsider.project_name == ""
