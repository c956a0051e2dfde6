"""/projects/<id>/members: who has which role in a project; project owners/admins (and org
owners/admins) change roles, remove people and add organization members.

Every handler authorizes through `state.guard` before it reads or changes anything, and the
services (`services/accounts/members.py`) authorize again and write the audit entries. The project id
comes from this tab's URL at load time; later events use the id kept in `pid`, which a client
can change only by loading another page, and which is authorized on every event anyway.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.models import ProjectRole
from traceiq_app.services.accounts import members
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.catalog import projects
from traceiq_app.services.platform.permissions import authorize
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

ROLES = [r.value for r in ProjectRole]  # owner, admin, editor, viewer


class ProjectMembersState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    rows: rx.Field[list[dict[str, str]]] = rx.field([])
    candidates: rx.Field[list[dict[str, str]]] = rx.field([])
    can_manage: bool = False
    can_make_owner: bool = False  # only project owners hand out (or take away) the owner role
    loaded: bool = False
    error: str = ""

    @rx.var
    def role_choices(self) -> list[str]:
        return ROLES if self.can_make_owner else ROLES[1:]

    def _reload(self) -> None:
        principal, pid = guard.require(self, "project.read", self.pid)
        rows = members.list_project_members(principal, pid)
        self.project_name = projects.get_project(pid).name
        self.can_manage = guard.can(principal, "project.members.manage", pid)
        my_role = authorize(principal, "project.read", project_id=pid).project_role
        self.can_make_owner = self.can_manage and my_role == ProjectRole.owner
        self.candidates = [
            {"user_id": c["user_id"], "email": c["email"], "org_role": c["org_role"]}
            for c in members.project_member_candidates(principal, pid)
        ] if self.can_manage else []
        self.rows = [
            {**{k: str(v) for k, v in r.items()},
             "editable": "yes" if self._editable(r) else ""}
            for r in rows
        ]
        self.loaded = True

    def _editable(self, row: dict[str, Any]) -> bool:
        if not self.can_manage or row["source"] != "project":
            return False
        return row["role"] != ProjectRole.owner.value or self.can_make_owner

    def _change(self, change: Any, success: str) -> Any:
        try:
            principal, pid = guard.require(self, "project.members.manage", self.pid)
            change(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except AccountError as exc:
            return rx.toast.error(str(exc))
        try:
            self._reload()
        except guard.DENIED as exc:  # e.g. they just took away their own admin role
            self.rows, self.candidates, self.can_manage = [], [], False
            return [rx.toast.success(success), rx.toast.error(guard.error_message(exc))]
        return rx.toast.success(success)

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error = ""
        try:
            self._reload()
        except guard.DENIED as exc:
            self.error, self.rows, self.candidates, self.project_name = guard.error_message(exc), [], [], ""
            self.can_manage = self.can_make_owner = False
            self.loaded = True

    @rx.event
    def set_role(self, user_id: str, role: str) -> Any:
        return self._change(lambda principal, pid: members.change_project_role(principal, pid, str(user_id), str(role)),
                            f"Project role changed to {role}.")

    @rx.event
    def remove(self, user_id: str) -> Any:
        return self._change(lambda principal, pid: members.remove_project_member(principal, pid, str(user_id)),
                            "Removed from the project.")

    @rx.event
    def add(self, form_data: dict[str, Any]) -> Any:
        user_id = str(form_data.get("user_id") or "")
        role = str(form_data.get("role") or ProjectRole.viewer.value)
        if not user_id:
            return rx.toast.error("choose an organization member to add")
        return self._change(lambda principal, pid: members.add_project_member(principal, pid, user_id, role),
                            f"Added to the project as {role}.")
