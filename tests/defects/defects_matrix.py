"""Permission-matrix entries for the defect pages, the custom fields page, the test page's
defects panel, the dashboard's defects section and the /api/v1 defect routes, in the format of
tests/accounts/permission_matrix.py, which merges them. Members read defects; editors raise,
edit, move, comment and attach; admins define custom fields."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import Session

from tests.accounts.permission_matrix import (
    _PUBLIC_SETVAR,
    ADMINS,
    EDITORS,
    EVERYONE,
    MEMBERS,
    PATH_VALUES,
    H,
    MatrixContext,
    R,
)
from traceiq_app.db import get_engine
from traceiq_app.models import TestCase


def _defect(ctx: MatrixContext) -> tuple[str, str]:
    """An ASSIGNED defect of Acme's with one attachment: (key, attachment id); one per case."""
    cached = getattr(ctx, "_matrix_defect", None)
    if cached is None:
        from traceiq_app.services.defects import attachments, custom_fields, defects

        made = defects.create(ctx.project_id, ctx.user_ids["owner"], {"title": "Matrix defect",
                                                                     "assignee_id": str(ctx.user_ids["editor"])})
        key = defects.key_of(made)
        attachment = attachments.add(ctx.project_id, key, ctx.user_ids["owner"], "notes.txt", b"matrix notes")
        custom_fields.create_field(ctx.project_id, "defect", f"Matrix field {key}", "text")
        cached = (key, str(attachment.id))
        ctx._matrix_defect = cached  # type: ignore[attr-defined]
    return cached


def _field_id(ctx: MatrixContext) -> str:
    from traceiq_app.services.defects import custom_fields

    _defect(ctx)
    return str(custom_fields.list_fields(ctx.project_id, "defect")[0].id)


def _two_fields(ctx: MatrixContext) -> None:
    """A second defect field after the matrix one, so moving the first down changes the order."""
    from traceiq_app.services.defects import custom_fields

    _defect(ctx)
    if len(custom_fields.list_fields(ctx.project_id, "defect")) < 2:
        custom_fields.create_field(ctx.project_id, "defect", "Matrix second field", "text")


def _edit(state: Any, ctx: MatrixContext) -> Any:
    """The tab has the matrix field's edit form open (as after Edit)."""
    state.edit_id = _field_id(ctx)
    return state


def _test_case(ctx: MatrixContext) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name="Matrix defects panel", steps=[{"action": "goto", "url": "/"}])
        s.add(case)
        s.flush()
        s.add(case.version_row(None))
        s.commit()
        return str(case.id)


def _on(state: Any, ctx: MatrixContext, with_defect: bool = False) -> Any:
    state.pid = str(ctx.project_id)
    if with_defect:
        state.key = _defect(ctx)[0]
    return state


def _on_test(state: Any, ctx: MatrixContext) -> Any:
    state.tid = _test_case(ctx)
    return state


class _Upload:
    filename = "log.txt"

    async def read(self, size: int = -1) -> bytes:
        return b"console output"


DEFECT_HANDLERS: dict[str, H] = {
    "DefectListState.load": H(MEMBERS, lambda s, c: _on(s, c).load()),
    "DefectListState.apply": H(MEMBERS, lambda s, c: _on(s, c).apply({"status": "open"})),
    "DefectListState.clear": H(MEMBERS, lambda s, c: _on(s, c).clear()),
    "DefectListState.save_filter": H(MEMBERS, lambda s, c: _on(s, c).save_filter({"name": "mine"}),
                                     note="saved filters are the user's own"),
    "DefectListState.use_filter": H(MEMBERS, lambda s, c: _on(s, c).use_filter("00000000-0000-0000-0000-000000000000")),
    "DefectListState.delete_filter": H(MEMBERS, lambda s, c: _on(s, c).delete_filter(
        "00000000-0000-0000-0000-000000000000")),
    "DefectListState.setvar": _PUBLIC_SETVAR,
    # /defects: the current organization's readable projects (other_org sees Globex's, never Acme's).
    "OrgDefectsState.load": H(MEMBERS, lambda s, c: s.load(), note="lists only projects the user can read"),
    "OrgDefectsState.apply": H(MEMBERS, lambda s, c: s.apply({"status": "open", "project": str(c.project_id)}),
                               note="a project the user cannot read is refused as bad input"),
    "OrgDefectsState.clear": H(MEMBERS, lambda s, c: s.clear()),
    "OrgDefectsState.save_filter": H(MEMBERS, lambda s, c: s.save_filter({"name": "mine"}),
                                     note="saved filters are the user's own, per organization"),
    "OrgDefectsState.use_filter": H(MEMBERS, lambda s, c: s.use_filter("00000000-0000-0000-0000-000000000000")),
    "OrgDefectsState.delete_filter": H(MEMBERS, lambda s, c: s.delete_filter(
        "00000000-0000-0000-0000-000000000000")),
    "OrgDefectsState.setvar": _PUBLIC_SETVAR,
    "NewDefectState.load": H(EDITORS, lambda s, c: _on(s, c).load()),
    "NewDefectState.create": H(EDITORS, lambda s, c: _on(s, c).create({"title": "From the matrix"})),
    "NewDefectState.attach": H(EDITORS, lambda s, c: _on(s, c).attach(),
                               note="no failure to attach: an allowed call stops at 'test result not found'"),
    "NewDefectState.setvar": _PUBLIC_SETVAR,
    "DefectState.load": H(MEMBERS, lambda s, c: _on(s, c, True).load(), prepare=_defect),
    "DefectState.move": H(EDITORS, lambda s, c: _on(s, c, True).move("in_progress"), prepare=_defect),
    "DefectState.save": H(EDITORS, lambda s, c: _on(s, c, True).save({"severity": "blocker"}), prepare=_defect),
    "DefectState.add_comment": H(EDITORS, lambda s, c: _on(s, c, True).add_comment({"body": "seen it"}), prepare=_defect),
    "DefectState.toggle_watch": H(MEMBERS, lambda s, c: _on(s, c, True).toggle_watch(),
                                  note="watching is a reader's own choice", prepare=_defect),
    "DefectState.upload": H(EDITORS, lambda s, c: asyncio.run(_on(s, c, True).upload([_Upload()])), prepare=_defect),
    "DefectState.setvar": _PUBLIC_SETVAR,
    "CustomFieldsState.load": H(MEMBERS, lambda s, c: _on(s, c).load()),
    "CustomFieldsState.add": H(ADMINS, lambda s, c: _on(s, c).add({"applies_to": "test", "label": "Component",
                                                                   "kind": "text"})),
    "CustomFieldsState.remove": H(ADMINS, lambda s, c: _on(s, c).remove(_field_id(c)), prepare=_defect),
    "CustomFieldsState.start_edit": H(ADMINS, lambda s, c: _on(s, c).start_edit(_field_id(c)), prepare=_defect),
    "CustomFieldsState.cancel_edit": H(EVERYONE, lambda s, c: s.cancel_edit(), public=True,
                                       note="closes this tab's own edit form"),
    "CustomFieldsState.save_edit": H(ADMINS, lambda s, c: _edit(_on(s, c), c).save_edit(
        {"label": "Matrix renamed", "required": "on"}), prepare=_defect),
    "CustomFieldsState.move": H(ADMINS, lambda s, c: _on(s, c).move(_field_id(c), "down"), prepare=_two_fields),
    "CustomFieldsState.setvar": _PUBLIC_SETVAR,
    "DefectDashState.load": H(MEMBERS, lambda s, c: _on(s, c).load()),
    "DefectDashState.setvar": _PUBLIC_SETVAR,
    "TestDefectsState.load": H(MEMBERS, lambda s, c: _on_test(s, c).load()),
    "TestDefectsState.save_values": H(EDITORS, lambda s, c: _on_test(s, c).save_values({})),
    "TestDefectsState.clear_panel": H(EVERYONE, None, public=True, note="clears the tab's own vars"),
    "TestDefectsState.setvar": _PUBLIC_SETVAR,
}

PATH_VALUES["key"] = lambda c: _defect(c)[0]
PATH_VALUES["attachment_id"] = lambda c: _defect(c)[1]

DEFECT_ROUTES: dict[tuple[str, str], R] = {
    ("GET", "/api/v1/projects/{project}/defects"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/defects"): R(EDITORS, json={"title": "Raised over the API"}),
    # Across projects: driven with ?project= (a project the caller cannot read is 404).
    ("GET", "/api/v1/defects"): R(MEMBERS, query={"project": "{project}"},
                                  note="without ?project= it lists only the caller's readable projects"),
    ("GET", "/api/v1/defects.csv"): R(MEMBERS, query={"project": "{project}", "status": "open"}),
    ("GET", "/api/v1/defects.xlsx"): R(MEMBERS, query={"project": "{project}"}),
    ("GET", "/api/v1/projects/{project}/defects.csv"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/defects.xlsx"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/defects/{key}"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/defects/{key}/transition"): R(EDITORS, json={"status": "in progress"}),
    ("GET", "/api/v1/projects/{project}/defects/{key}/attachments/{attachment_id}"): R(MEMBERS),
}
