"""Retention rules per project or org-wide (the System page's editor): validation with messages
that name the field, saving (one rule per scope, audited), removal, listing, and the rule that
applies to a project (its own, else its org's). The sweep that applies them is `retention.sweep`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Project, RetentionRule
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal

MAX_DAYS = 36_500
MAX_RUNS = 1_000_000
FIELDS = ("keep_days", "keep_last", "keep_failed_days")


class RetentionRuleInvalid(ValueError):
    """A rule the editor refused; `field` is the form field the message is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RuleSpec:
    """A rule's settings (saved or only previewed)."""

    keep_days: int | None = None
    keep_last: int | None = None
    keep_failed_days: int | None = None

    @property
    def empty(self) -> bool:
        return self.keep_days is None and self.keep_last is None


def _number(field: str, raw: Any, label: str, high: int) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise RetentionRuleInvalid(field, f"{label}: enter a whole number, like 30 (or leave it empty)")
    value = int(text)
    if value < 1:
        raise RetentionRuleInvalid(field, f"{label}: must be at least 1 (leave it empty to not use it)")
    if value > high:
        raise RetentionRuleInvalid(field, f"{label}: at most {high:,}")
    return value


def parse_spec(form: dict[str, Any]) -> RuleSpec:
    """Validate the editor's text fields; raises RetentionRuleInvalid naming the field."""
    spec = RuleSpec(
        keep_days=_number("keep_days", form.get("keep_days"), "Keep runs for (days)", MAX_DAYS),
        keep_last=_number("keep_last", form.get("keep_last"), "Always keep the last (runs)", MAX_RUNS),
        keep_failed_days=_number("keep_failed_days", form.get("keep_failed_days"),
                                 "Keep failed runs for (days)", MAX_DAYS),
    )
    if spec.keep_failed_days is not None and spec.keep_days is None:
        raise RetentionRuleInvalid("keep_failed_days", "Keep failed runs for (days): set \"Keep runs for\" "
                                   "too; failed runs are kept longer than the others")
    if spec.keep_failed_days is not None and spec.keep_days is not None and spec.keep_failed_days < spec.keep_days:
        raise RetentionRuleInvalid("keep_failed_days", f"Keep failed runs for (days): at least {spec.keep_days} "
                                   "(failed runs are kept longer, not shorter, than the others)")
    if spec.empty:
        raise RetentionRuleInvalid("keep_days", "Keep runs for (days): set a number of days, a number of runs "
                                   "to keep, or both")
    return spec


def scope_project(session: Session, org_id: uuid.UUID, scope: str) -> uuid.UUID | None:
    """The project a scope value names ("" or "org" = org-wide); only the org's own projects."""
    if scope in ("", "org"):
        return None
    try:
        project_id = uuid.UUID(scope)
    except ValueError as exc:
        raise RetentionRuleInvalid("scope", "Applies to: choose a project or the whole organization") from exc
    project = session.get(Project, project_id)
    if project is None or project.org_id != org_id or getattr(project, "deleted_at", None) is not None:
        raise RetentionRuleInvalid("scope", "Applies to: that project is not in this organization")
    return project_id


def rules_by_project(session: Session, org_id: uuid.UUID | None = None) -> dict[tuple[uuid.UUID, uuid.UUID | None], RuleSpec]:
    query = select(RetentionRule)
    if org_id is not None:
        query = query.where(RetentionRule.org_id == org_id)
    return {(r.org_id, r.project_id): RuleSpec(r.keep_days, r.keep_last, r.keep_failed_days)
            for r in session.exec(query).all()}


def scopes(org_id: uuid.UUID) -> list[dict[str, str]]:
    """What a rule can apply to: the whole organization, or one of its projects."""
    with session_scope() as session:
        projects = session.exec(select(Project.id, Project.name).where(Project.org_id == org_id,
                                                                        col(Project.deleted_at).is_(None))
                                .order_by(col(Project.name))).all()
    return [{"value": "org", "label": "Whole organization"},
            *({"value": str(pid), "label": name} for pid, name in projects)]


def list_rules(org_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        names: dict[uuid.UUID | None, str] = {
            pid: name for pid, name in session.exec(select(Project.id, Project.name).where(Project.org_id == org_id)).all()}
        rows = session.exec(select(RetentionRule).where(RetentionRule.org_id == org_id)
                            .order_by(col(RetentionRule.created_at))).all()
        return [{"id": str(r.id), "project_id": str(r.project_id) if r.project_id else "",
                 "scope": names.get(r.project_id, "?") if r.project_id else "Whole organization",
                 "keep_days": r.keep_days, "keep_last": r.keep_last, "keep_failed_days": r.keep_failed_days}
                for r in sorted(rows, key=lambda r: (r.project_id is not None, str(names.get(r.project_id, ""))))]


def save_rule(principal: Principal, org_id: uuid.UUID, scope: str, form: dict[str, Any]) -> RetentionRule:
    """Create or replace the rule of one scope (the org, or one of its projects); audited."""
    spec = parse_spec(form)
    with session_scope() as session:
        project_id = scope_project(session, org_id, scope)
        rule = session.exec(select(RetentionRule).where(RetentionRule.org_id == org_id,
                                                        RetentionRule.project_id == project_id)).first()
        if project_id is None:
            rule = session.exec(select(RetentionRule).where(RetentionRule.org_id == org_id,
                                                            col(RetentionRule.project_id).is_(None))).first()
        rule = rule or RetentionRule(org_id=org_id, project_id=project_id)
        rule.keep_days, rule.keep_last, rule.keep_failed_days = spec.keep_days, spec.keep_last, spec.keep_failed_days
        rule.updated_by = principal.user_id
        session.add(rule)
        session.flush()
        audit.record(session, org_id=org_id, project_id=project_id, action="retention.rule.save", actor=principal,
                     object_type="retention_rule", object_id=str(rule.id),
                     details={k: getattr(spec, k) for k in FIELDS})
        session.refresh(rule)
        session.expunge(rule)
        return rule


def delete_rule(principal: Principal, org_id: uuid.UUID, rule_id: str) -> bool:
    try:
        rid = uuid.UUID(str(rule_id))
    except ValueError:
        return False
    with session_scope() as session:
        rule = session.get(RetentionRule, rid)
        if rule is None or rule.org_id != org_id:
            return False
        audit.record(session, org_id=org_id, project_id=rule.project_id, action="retention.rule.delete",
                     actor=principal, object_type="retention_rule", object_id=str(rule.id))
        session.delete(rule)
        return True


def preview(org_id: uuid.UUID, scope: str, form: dict[str, Any]) -> dict[str, int]:
    """What the next pass would delete in this org with the form's rule saved (not saved here):
    the sweep's own dry run with the rule as an override."""
    from traceiq_app.services.runs.retention import sweep

    spec = parse_spec(form)
    with session_scope() as session:
        project_id = scope_project(session, org_id, scope)
    return sweep(dry_run=True, org_id=org_id, override=(project_id, spec)).as_dict()
