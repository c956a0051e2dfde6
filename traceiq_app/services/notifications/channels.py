"""Channels and rules of a project: create, edit, enable/disable, delete, list.

Secrets (webhook URLs of Slack/Teams, a generic webhook's URL and its `whsec_` signing secrets)
are stored encrypted (`platform.secrets_crypto`); pages only ever see `target_hint` and, once,
the new signing secret returned by `create_channel` / `rotate_secret`.
Callers authorize first (`notification.read` / `notification.write`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import NotificationChannel, NotificationRule, utcnow
from traceiq_app.services.notifications import outbound, signing
from traceiq_app.services.platform.secrets_crypto import decrypt_secrets, encrypt_secrets

KINDS = ("webhook", "slack", "teams", "email")
KIND_LABELS = {"webhook": "Webhook", "slack": "Slack", "teams": "Microsoft Teams", "email": "E-mail"}
EVENT_TYPES = ("run.finished", "run.failed", "run.recovered", "test.flaky_detected", "schedule.missed",
               "defect.assigned", "defect.status_changed", "defect.commented")
TEST_EVENT = "notification.test"
FILTER_KEYS = ("suite_ids", "tags", "branches", "environment_ids", "triggers")
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


class ChannelError(ValueError):
    """Bad input: `field` names the form field, the message says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class CreatedChannel:
    channel: NotificationChannel
    secret: str | None  # a webhook's signing secret, shown once


def _config(channel: NotificationChannel) -> dict[str, Any]:
    import json

    raw = decrypt_secrets(channel.config_encrypted).get("config")
    return json.loads(raw) if raw else {}


def channel_config(channel: NotificationChannel) -> dict[str, Any]:
    """{url, secrets} (decrypted): only the delivery job calls this."""
    return _config(channel)


def _encrypt(config: dict[str, Any]) -> str | None:
    import json

    return encrypt_secrets({"config": json.dumps(config)})


def _clean_url(kind: str, url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ChannelError("url", "enter the webhook URL")
    if len(url) > 2000:
        raise ChannelError("url", "the URL is longer than 2,000 characters")
    try:
        scheme, _host, _port = outbound.check_url(url)
    except outbound.OutboundRefused as exc:
        raise ChannelError("url", str(exc)) from None
    if kind in ("slack", "teams") and scheme != "https":
        raise ChannelError("url", f"{KIND_LABELS[kind]} webhook URLs start with https://")
    return url


def _clean_emails(raw: str | Iterable[str]) -> list[str]:
    items = re.split(r"[,;\s]+", raw) if isinstance(raw, str) else list(raw)
    emails = [e.strip().lower() for e in items if e and e.strip()]
    if not emails:
        raise ChannelError("emails", "enter at least one e-mail address")
    bad = [e for e in emails if not EMAIL_RE.match(e)]
    if bad:
        raise ChannelError("emails", f"not an e-mail address: {bad[0]}")
    if len(emails) > 50:
        raise ChannelError("emails", "at most 50 recipients")
    return list(dict.fromkeys(emails))


def _hint(kind: str, url: str | None, emails: Sequence[str]) -> str:
    if kind == "email":
        return ", ".join(emails)[:500]
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.hostname}{'/…' if (parts.path or '/') != '/' else ''}"[:500]


def create_channel(project_id: uuid.UUID, kind: str, name: str, *, url: str = "", emails: str | Sequence[str] = "",
                   created_by: uuid.UUID | None = None) -> CreatedChannel:
    name = (name or "").strip()
    if not name:
        raise ChannelError("name", "enter a name")
    if len(name) > 200:
        raise ChannelError("name", "at most 200 characters")
    if kind not in KINDS:
        raise ChannelError("kind", f"choose one of {', '.join(KINDS)}")
    secret: str | None = None
    config: dict[str, Any] = {}
    recipients: list[str] = []
    if kind == "email":
        recipients = _clean_emails(emails)
    else:
        config["url"] = _clean_url(kind, url)
        if kind == "webhook":
            secret = signing.new_secret()
            config["secrets"] = [secret]
    channel = NotificationChannel(project_id=project_id, kind=kind, name=name, emails=recipients,
                                  target_hint=_hint(kind, config.get("url"), recipients),
                                  config_encrypted=_encrypt(config) if config else None, created_by=created_by)
    with session_scope() as session:
        session.add(channel)
    return CreatedChannel(channel, secret)


def _get(session: Session, project_id: uuid.UUID, channel_id: uuid.UUID) -> NotificationChannel:
    channel = session.get(NotificationChannel, channel_id)
    if channel is None or channel.project_id != project_id:
        raise NotFound("channel not found")
    return channel


def update_channel(project_id: uuid.UUID, channel_id: uuid.UUID, *, name: str | None = None,
                   url: str | None = None, emails: str | Sequence[str] | None = None,
                   enabled: bool | None = None) -> NotificationChannel:
    with session_scope() as session:
        channel = _get(session, project_id, channel_id)
        if name is not None:
            name = name.strip()
            if not name:
                raise ChannelError("name", "enter a name")
            channel.name = name[:200]
        config = _config(channel)
        if url is not None and url.strip() and channel.kind != "email":
            config["url"] = _clean_url(channel.kind, url)
            channel.config_encrypted = _encrypt(config)
        if emails is not None and channel.kind == "email":
            channel.emails = _clean_emails(emails)
        channel.target_hint = _hint(channel.kind, config.get("url"), channel.emails)
        if enabled is not None:
            channel.enabled = enabled
            channel.disabled_reason = None if enabled else "disabled by a user"
    return channel


def rotate_secret(project_id: uuid.UUID, channel_id: uuid.UUID) -> str:
    """A new signing secret; the previous one keeps signing too (both signatures are sent) until
    the next rotation, so receivers can switch without losing deliveries."""
    with session_scope() as session:
        channel = _get(session, project_id, channel_id)
        if channel.kind != "webhook":
            raise ChannelError("kind", "only generic webhooks have a signing secret")
        config = _config(channel)
        secret = signing.new_secret()
        config["secrets"] = [secret, *config.get("secrets", [])[:1]]
        channel.config_encrypted = _encrypt(config)
    return secret


def disable_channel(channel_id: uuid.UUID, reason: str) -> None:
    with session_scope() as session:
        channel = session.get(NotificationChannel, channel_id)
        if channel is not None:
            channel.enabled = False
            channel.disabled_reason = reason[:500]
            channel.updated_at = utcnow()


def delete_channel(project_id: uuid.UUID, channel_id: uuid.UUID) -> NotificationChannel:
    with session_scope() as session:
        channel = _get(session, project_id, channel_id)
        session.delete(channel)
    return channel


def list_channels(project_id: uuid.UUID) -> list[NotificationChannel]:
    with session_scope() as session:
        return list(session.exec(select(NotificationChannel).where(NotificationChannel.project_id == project_id)
                                 .order_by(col(NotificationChannel.created_at))).all())


def get_channel(project_id: uuid.UUID, channel_id: uuid.UUID) -> NotificationChannel:
    with session_scope() as session:
        return _get(session, project_id, channel_id)


# ---- rules --------------------------------------------------------------------------------
def _clean_filters(filters: dict[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise ChannelError("filters", f"unknown filter {key!r} (use {', '.join(FILTER_KEYS)})")
        items = re.split(r"[,\s]+", value) if isinstance(value, str) else list(value or [])
        cleaned = [str(v).strip() for v in items if str(v).strip()]
        if key in ("suite_ids", "environment_ids"):
            for v in cleaned:
                try:
                    uuid.UUID(v)
                except ValueError:
                    raise ChannelError(key, f"not an id: {v}") from None
        if cleaned:
            out[key] = cleaned
    return out


def _clean_events(event_types: Sequence[str]) -> list[str]:
    events = [e for e in dict.fromkeys(e.strip() for e in event_types) if e]
    if not events:
        raise ChannelError("event_types", "choose at least one event")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ChannelError("event_types", f"unknown event {unknown[0]!r}")
    return events


def create_rule(project_id: uuid.UUID, channel_id: uuid.UUID, event_types: Sequence[str], *,
                filters: dict[str, Any] | None = None, only_on_change: bool = False) -> NotificationRule:
    events = _clean_events(event_types)
    clean = _clean_filters(filters)
    with session_scope() as session:
        _get(session, project_id, channel_id)
        rule = NotificationRule(project_id=project_id, channel_id=channel_id, event_types=events, filters=clean,
                                only_on_change=only_on_change)
        session.add(rule)
    return rule


def update_rule(project_id: uuid.UUID, rule_id: uuid.UUID, *, event_types: Sequence[str] | None = None,
                filters: dict[str, Any] | None = None, only_on_change: bool | None = None,
                enabled: bool | None = None) -> NotificationRule:
    with session_scope() as session:
        rule = session.get(NotificationRule, rule_id)
        if rule is None or rule.project_id != project_id:
            raise NotFound("rule not found")
        if event_types is not None:
            rule.event_types = _clean_events(event_types)
        if filters is not None:
            rule.filters = _clean_filters(filters)
        if only_on_change is not None:
            rule.only_on_change = only_on_change
        if enabled is not None:
            rule.enabled = enabled
    return rule


def delete_rule(project_id: uuid.UUID, rule_id: uuid.UUID) -> None:
    with session_scope() as session:
        rule = session.get(NotificationRule, rule_id)
        if rule is None or rule.project_id != project_id:
            raise NotFound("rule not found")
        session.delete(rule)


def list_rules(project_id: uuid.UUID) -> list[NotificationRule]:
    with session_scope() as session:
        return list(session.exec(select(NotificationRule).where(NotificationRule.project_id == project_id)
                                 .order_by(col(NotificationRule.created_at))).all())


def rule_matches(rule: NotificationRule, event_type: str, data: dict[str, Any]) -> bool:
    """Event type, filters (each non-empty filter must meet the event's values) and "only when
    the outcome changed" (run events carry `status` and `previous_status`)."""
    if not rule.enabled or event_type not in (rule.event_types or []):
        return False
    event_values: dict[str, set[str]] = {
        "suite_ids": {str(v) for v in data.get("suite_ids") or []},
        "tags": {str(v) for v in data.get("tags") or []},
        "branches": {str(data["branch"])} if data.get("branch") else set(),
        "environment_ids": {str(data["environment_id"])} if data.get("environment_id") else set(),
        "triggers": {str(data["trigger"])} if data.get("trigger") else set(),
    }
    for key, wanted in (rule.filters or {}).items():
        if wanted and not (set(map(str, wanted)) & event_values.get(key, set())):
            return False
    if rule.only_on_change and event_type.startswith("run."):
        return bool(data.get("status") != data.get("previous_status"))
    return True
