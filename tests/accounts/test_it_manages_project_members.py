"""Project roles through services/members (what /projects/<id>/members calls), on SQLite and
Postgres: who may list, add, change and remove project members; the owner rules; one audit
entry per change; nothing across organizations.

Cast (tests.factories): alice owns Acme and is owner of its project "Web shop"; bob is an Acme
member and project editor; charlie owns Globex. Added here: dave (Acme admin, no project row),
erin (Acme member, project viewer), frank (Acme member, not in the project), and "Pat" (Acme
member, project admin).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from tests.factories import Personas, add_org_member, add_project_member, make_personas, make_user
from traceiq_app.db import get_engine, session_scope
from traceiq_app.models import AuditLog, OrgRole, ProjectMember, ProjectRole, User
from traceiq_app.services.accounts import members
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.platform.permissions import PermissionDenied, Principal, can


@dataclass
class Cast:
    p: Personas
    dave: User
    erin: User
    frank: User
    pat: User

    def who(self, name: str) -> Principal:
        user = getattr(self.p, name, None) or getattr(self, name)
        return Principal(user_id=user.id, email=user.email)


@pytest.fixture
def cast(acct_db_any: str) -> Cast:
    with Session(get_engine(), expire_on_commit=False) as s:
        p = make_personas(s)
        dave = make_user(s, "dave@acme.test")
        erin = make_user(s, "erin@acme.test")
        frank = make_user(s, "frank@acme.test")
        pat = make_user(s, "pat@acme.test")
        add_org_member(s, p.acme, dave, OrgRole.admin)
        for user in (erin, frank, pat):
            add_org_member(s, p.acme, user, OrgRole.member)
        add_project_member(s, p.project, erin, ProjectRole.viewer)
        add_project_member(s, p.project, pat, ProjectRole.admin)
        s.commit()
    return Cast(p, dave, erin, frank, pat)


def _roles(c: Cast) -> dict[str, str]:
    with session_scope() as s:
        rows = s.exec(select(User.email, ProjectMember.role).join(ProjectMember, ProjectMember.user_id == User.id)  # type: ignore[arg-type]
                      .where(ProjectMember.project_id == c.p.project.id)).all()
        return {email.split("@")[0]: str(role) for email, role in rows}


def _audit(c: Cast) -> list[tuple[str, str | None, str | None, dict]]:  # type: ignore[type-arg]
    with session_scope() as s:
        rows = s.exec(select(AuditLog).where(AuditLog.org_id == c.p.acme.id, AuditLog.action.startswith("project.member"))  # type: ignore[attr-defined]
                      .order_by(AuditLog.created_at, AuditLog.id)).all()  # type: ignore[arg-type]
        return [(r.action, r.actor_label, r.object_id, r.details) for r in rows]


def _refused(call, *args, status: int | None = None) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises((PermissionDenied, AccountError)) as info:
        call(*args)
    if status is not None:
        assert isinstance(info.value, PermissionDenied) and info.value.status == status, info.value
    return str(info.value)


def test_it_lists_project_members_with_where_their_role_comes_from(cast: Cast) -> None:
    rows = members.list_project_members(cast.who("erin"), cast.p.project.id)  # a viewer may read the list
    by_email = {r["email"]: (r["role"], r["org_role"], r["source"]) for r in rows}
    assert by_email == {
        "alice@acme.test": ("owner", "owner", "project"),
        "bob@acme.test": ("editor", "member", "project"),
        "erin@acme.test": ("viewer", "member", "project"),
        "pat@acme.test": ("admin", "member", "project"),
        "dave@acme.test": ("admin", "admin", "organization"),  # org admin: admin of every project
    }
    assert [r["email"] for r in rows] == sorted(by_email)
    # Frank is in the org but not in the project: he cannot read it; charlie is in another org.
    _refused(members.list_project_members, cast.who("frank"), cast.p.project.id, status=404)
    _refused(members.list_project_members, cast.who("charlie"), cast.p.project.id, status=404)


def test_it_lets_project_and_org_admins_manage_and_refuses_everybody_else(cast: Cast) -> None:
    pid = cast.p.project.id
    for name in ("bob", "erin"):  # editor, viewer
        for call, args in ((members.add_project_member, (cast.frank.id, "viewer")),
                           (members.change_project_role, (cast.erin.id, "editor")),
                           (members.remove_project_member, (cast.p.bob.id,))):
            _refused(call, cast.who(name), pid, *args, status=403)
        _refused(members.project_member_candidates, cast.who(name), pid, status=403)
        assert not can(cast.who(name), "project.members.manage", project_id=pid)
    for name in ("frank", "charlie"):  # no access: the project does not exist for them
        _refused(members.add_project_member, cast.who(name), pid, cast.frank.id, "viewer", status=404)
        _refused(members.remove_project_member, cast.who(name), pid, cast.p.bob.id, status=404)
    assert _roles(cast) == {"alice": "owner", "bob": "editor", "erin": "viewer", "pat": "admin"}
    assert _audit(cast) == []

    # pat (project admin), dave (org admin through his org role) and alice (owner) may.
    assert [c["email"] for c in members.project_member_candidates(cast.who("pat"), pid)] == \
        ["dave@acme.test", "frank@acme.test"]
    members.add_project_member(cast.who("pat"), pid, cast.frank.id, "viewer")
    members.change_project_role(cast.who("dave"), pid, cast.frank.id, "editor")
    members.remove_project_member(cast.who("alice"), pid, cast.p.bob.id)
    assert _roles(cast) == {"alice": "owner", "erin": "viewer", "pat": "admin", "frank": "editor"}
    assert _audit(cast) == [
        ("project.member_add", "pat@acme.test", str(cast.frank.id), {"from": None, "role": "viewer"}),
        ("project.member_role", "dave@acme.test", str(cast.frank.id), {"from": "viewer", "role": "editor"}),
        ("project.member_remove", "alice@acme.test", str(cast.p.bob.id), {"from": "editor", "role": None}),
    ]
    # The removed editor lost the project (bob is an org member only).
    assert not can(cast.who("bob"), "project.read", project_id=pid)


def test_it_keeps_owner_changes_to_project_owners(cast: Cast) -> None:
    pid = cast.p.project.id
    # A project admin can neither hand out "owner" nor touch an owner's row.
    assert "only project owners can make someone an owner" in _refused(
        members.change_project_role, cast.who("pat"), pid, cast.p.bob.id, "owner", status=403)
    assert "owner" in _refused(members.add_project_member, cast.who("dave"), pid, cast.frank.id, "owner", status=403)
    assert "only project owners can change an owner's role" in _refused(
        members.change_project_role, cast.who("pat"), pid, cast.p.alice.id, "viewer", status=403)
    _refused(members.remove_project_member, cast.who("dave"), pid, cast.p.alice.id, status=403)
    assert _roles(cast)["alice"] == "owner" and _audit(cast) == []
    # An owner may.
    members.change_project_role(cast.who("alice"), pid, cast.pat.id, "owner")
    members.change_project_role(cast.who("pat"), pid, cast.p.bob.id, "owner")  # pat is an owner now
    assert _roles(cast)["bob"] == "owner"


def test_it_leaves_org_owners_owning_a_project_without_explicit_owners(cast: Cast) -> None:
    """There is no "last project owner" rule: org owners own every project of their org, and an
    org always keeps an owner (set_org_role/remove_member refuse to drop the last one)."""
    pid = cast.p.project.id
    members.change_project_role(cast.who("alice"), pid, cast.pat.id, "owner")
    members.remove_project_member(cast.who("pat"), pid, cast.p.alice.id)  # the other explicit owner
    members.change_project_role(cast.who("pat"), pid, cast.pat.id, "viewer")  # the last one demotes herself
    assert "owner" not in _roles(cast).values()
    # Pat can no longer manage; alice (org owner, no project row any more) still owns it.
    _refused(members.change_project_role, cast.who("pat"), pid, cast.pat.id, "owner", status=403)
    assert can(cast.who("alice"), "project.delete", project_id=pid)
    members.change_project_role(cast.who("alice"), pid, cast.pat.id, "owner")
    assert _roles(cast)["pat"] == "owner"
    assert any(r["email"] == "alice@acme.test" and r["source"] == "organization" and r["role"] == "owner"
               for r in members.list_project_members(cast.who("erin"), pid))
    # ...and the org itself cannot lose its last owner.
    with pytest.raises(AccountError, match="at least one owner"):
        members.set_org_role(cast.who("alice"), cast.p.acme.id, cast.p.alice.id, "member")


def test_it_refuses_people_outside_the_org_and_nonsense(cast: Cast) -> None:
    pid = cast.p.project.id
    alice = cast.who("alice")
    # charlie is not in Acme: he cannot be added to its project (not revealed as a user either).
    _refused(members.add_project_member, alice, pid, cast.p.charlie.id, "viewer", status=404)
    # Acme's owner cannot manage Globex's project through Acme.
    _refused(members.add_project_member, alice, cast.p.globex_project.id, cast.p.bob.id, "viewer", status=404)
    with pytest.raises(AccountError, match="already a member"):
        members.add_project_member(alice, pid, cast.p.bob.id, "viewer")
    with pytest.raises(AccountError, match="no role in this project"):
        members.change_project_role(alice, pid, cast.frank.id, "editor")
    with pytest.raises(AccountError, match="no role in this project"):
        members.remove_project_member(alice, pid, cast.frank.id)
    with pytest.raises(AccountError, match="unknown project role"):
        members.change_project_role(alice, pid, cast.p.bob.id, "superuser")
    # Setting the role someone already has changes nothing and audits nothing.
    members.change_project_role(alice, pid, cast.p.bob.id, "editor")
    assert _roles(cast)["bob"] == "editor" and _audit(cast) == []
