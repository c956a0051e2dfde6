"""The Notifications page's read model (short display strings) and its audited changes.
Callers authorize `notification.read` / `notification.write` first."""

from __future__ import annotations

import uuid

from traceiq_app.db import session_scope
from traceiq_app.models import NotificationChannel, Project
from traceiq_app.services.notifications import channels, deliveries
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.settings import get_settings

STATUS_TEXT = {"queued": "queued", "sending": "sending", "retrying": "retrying", "succeeded": "delivered",
               "failed": "failed"}


def project_url(project_id: uuid.UUID) -> str | None:
    base = (get_settings().public_url or "").rstrip("/")
    return f"{base}/projects/{project_id}/notifications" if base else None


def channel_rows(project_id: uuid.UUID) -> list[dict[str, str]]:
    return [{"id": str(c.id), "name": c.name, "kind": c.kind, "kind_label": channels.KIND_LABELS.get(c.kind, c.kind),
             "target": c.target_hint, "enabled": "1" if c.enabled else "",
             "disabled_reason": c.disabled_reason or ""} for c in channels.list_channels(project_id)]


def _labels(project_id: uuid.UUID) -> dict[str, str]:
    """Names of the project's folders and environments by id (for rule filters)."""
    from sqlmodel import select

    from traceiq_app.models import Environment, Suite

    with session_scope() as session:
        suites = session.exec(select(Suite.id, Suite.name).where(Suite.project_id == project_id)).all()
        envs = session.exec(select(Environment.id, Environment.name).where(Environment.project_id == project_id)).all()
    return {str(i): n for i, n in [*suites, *envs]}


FILTER_LABELS = {"suite_ids": "folder", "environment_ids": "environment", "branches": "branch", "tags": "tag",
                 "triggers": "trigger"}


def rule_rows(project_id: uuid.UUID) -> list[dict[str, str]]:
    names = {c.id: c.name for c in channels.list_channels(project_id)}
    labels = _labels(project_id)
    rows = []
    for r in channels.list_rules(project_id):
        filters = "; ".join(f"{FILTER_LABELS.get(k, k)}: {', '.join(labels.get(x, x) for x in v)}"
                            for k, v in (r.filters or {}).items() if v)
        rows.append({"id": str(r.id), "channel": names.get(r.channel_id, "?"), "events": ", ".join(r.event_types),
                     "filters": filters or "all runs", "only_on_change": "1" if r.only_on_change else "",
                     "enabled": "1" if r.enabled else ""})
    return rows


def log_rows(project_id: uuid.UUID, limit: int = 50) -> list[dict[str, str]]:
    rows = []
    for d in deliveries.list_deliveries(project_id, limit=limit):
        last = d["log"][-1] if d["log"] else {}
        rows.append({
            "id": d["id"], "event": d["event_type"], "channel": d["channel"],
            "status": STATUS_TEXT.get(d["status"], d["status"]), "attempts": str(d["attempts"]),
            "code": str(last.get("status_code") or "—"),
            "ms": f"{last['response_ms']} ms" if last.get("response_ms") is not None else "—",
            "excerpt": (last.get("error") or last.get("response_excerpt") or "")[:200],
            "at": d["created_at"][:19].replace("T", " "),
            "next": (d["next_attempt_at"] or "")[:19].replace("T", " "),
        })
    return rows


def _audit(principal: Principal, project_id: uuid.UUID, action: str, channel: NotificationChannel) -> None:
    with session_scope() as session:
        project = session.get(Project, project_id)
        if project is not None:
            audit.record(session, org_id=project.org_id, project_id=project_id, action=action, actor=principal,
                         object_type="notification_channel", object_id=str(channel.id),
                         details={"name": channel.name, "kind": channel.kind})


def create_channel(principal: Principal, project_id: uuid.UUID, kind: str, name: str, *, url: str = "",
                   emails: str = "") -> channels.CreatedChannel:
    created = channels.create_channel(project_id, kind, name, url=url, emails=emails, created_by=principal.user_id)
    _audit(principal, project_id, "notification.channel_create", created.channel)
    return created


def delete_channel(principal: Principal, project_id: uuid.UUID, channel_id: uuid.UUID) -> None:
    channel = channels.delete_channel(project_id, channel_id)
    _audit(principal, project_id, "notification.channel_delete", channel)
