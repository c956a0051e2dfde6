"""Tests as code: a project's folders, tests and environments as a folder of YAML files that
round-trips byte for byte (`traceiq pull` / `traceiq push`, GET/POST /api/v1/projects/{p}/tree).

    files = export_tree(project_id)                         # {"checkout/_suite.yaml": "...", ...}
    plan = push_tree(project_id, files, prune=False, dry_run=True)   # what would change
    plan = push_tree(project_id, files, prune=True, dry_run=False, principal=p)  # all or nothing

Modules: `layout` (names, YAML), `state` (what the server holds, export), `parse` (reading
files, located problems), `plan` (the difference, and applying it in one transaction). Tests
are saved through services/catalog/test_cases.py (validated, each change a new version). Secret
values never appear in files; environments list secret names only.
"""

from __future__ import annotations

import uuid

from traceiq_app.db import session_scope
from traceiq_app.services.catalog.projects import _live_project
from traceiq_app.services.catalog.tree_sync.parse import TreeInvalid, read_files
from traceiq_app.services.catalog.tree_sync.plan import Change, Plan, apply_plan, make_plan
from traceiq_app.services.catalog.tree_sync.state import export_files, load_state
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal

__all__ = ["Change", "Plan", "TreeInvalid", "export_tree", "plan_tree", "push_tree"]


def export_tree(project_id: uuid.UUID) -> dict[str, str]:
    """path -> YAML text of the project's live folders, native tests and environments."""
    with session_scope() as session:
        _live_project(session, project_id)
        return export_files(load_state(session, project_id))


def plan_tree(project_id: uuid.UUID, files: dict[str, str], *, prune: bool) -> Plan:
    """What pushing `files` would change (raises TreeInvalid; changes nothing)."""
    wanted = read_files(files)
    with session_scope() as session:
        _live_project(session, project_id)
        return make_plan(wanted, load_state(session, project_id), prune=prune)


def push_tree(project_id: uuid.UUID, files: dict[str, str], *, prune: bool, dry_run: bool,
              principal: Principal | None = None) -> Plan:
    """Plan and (unless dry_run) apply in ONE transaction: every change or none."""
    wanted = read_files(files)
    with session_scope() as session:
        project = _live_project(session, project_id)
        plan = make_plan(wanted, load_state(session, project_id), prune=prune)
        if dry_run or not plan.changes:
            return plan
        apply_plan(session, project_id, wanted, plan, principal.user_id if principal else None)
        audit.record(session, org_id=project.org_id, project_id=project_id, action="tree.push", actor=principal,
                     object_type="project", object_id=str(project_id),
                     details={**plan.summary(), "prune": prune})
        return plan
