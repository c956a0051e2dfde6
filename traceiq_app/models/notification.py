"""Notifications: channels (where to send), rules (which events of a project go to a channel,
with filters) and deliveries (one event to one channel, with its attempts).

A delivery is unique per (channel, event id): publishing the same event twice sends it once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import (
    created_at_field,
    fk_field,
    id_field,
    json_field,
    timestamp_field,
    updated_at_field,
)


class NotificationChannel(SQLModel, table=True):
    """A destination: `kind` is webhook | slack | teams | email. URLs and signing secrets are kept
    encrypted (`config_encrypted`: Fernet JSON {url, secret}); `target_hint` is what pages show."""

    __tablename__ = "notification_channels"

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    target_hint: str = Field(default="", max_length=500)
    emails: list[str] = json_field(list)
    config_encrypted: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    enabled: bool = Field(default=True)
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class NotificationRule(SQLModel, table=True):
    """Which events go to a channel. `filters`: {suite_ids, tags, branches, environment_ids,
    triggers}, each a list; an empty or missing list matches everything."""

    __tablename__ = "notification_rules"

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    channel_id: uuid.UUID = fk_field("notification_channels.id", ondelete="CASCADE", index=True)
    event_types: list[str] = json_field(list)
    filters: dict[str, Any] = json_field(dict)
    only_on_change: bool = Field(default=False)
    enabled: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class NotificationDelivery(SQLModel, table=True):
    """One event to one channel. `status`: queued (a job is on the queue) | sending | retrying
    (waits for `next_attempt_at`) | succeeded | failed (gave up) | cancelled."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "event_id"),
        sa.Index("ix_notification_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    channel_id: uuid.UUID = fk_field("notification_channels.id", ondelete="CASCADE")
    event_id: str = Field(max_length=100)
    event_type: str = Field(max_length=64)
    payload: dict[str, Any] = json_field(dict)
    status: str = Field(default="queued", max_length=32)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = timestamp_field()
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
    delivered_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class NotificationAttempt(SQLModel, table=True):
    """The delivery log: one row per attempt."""

    __tablename__ = "notification_attempts"

    id: uuid.UUID = id_field()
    delivery_id: uuid.UUID = fk_field("notification_deliveries.id", ondelete="CASCADE", index=True)
    attempt: int = Field(default=1)
    status_code: int | None = Field(default=None)
    response_ms: int | None = Field(default=None)
    response_excerpt: str | None = Field(default=None, max_length=1000)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = created_at_field()


class UserNotification(SQLModel, table=True):
    """The in-app inbox (the bell): one row per user and event (unique per user and event id)."""

    __tablename__ = "user_notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_id"),
        sa.Index("ix_user_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE")
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    event_id: str = Field(max_length=100)
    event_type: str = Field(max_length=64)
    title: str = Field(max_length=500)
    body: str = Field(default="", max_length=1000)
    url: str | None = Field(default=None, max_length=2000)
    read_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class NotificationPreference(SQLModel, table=True):
    """Which event types a user wants in the in-app inbox for one project (no row: the defaults)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "project_id"),)

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE")
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    in_app_events: list[str] = json_field(list)
    updated_at: datetime = updated_at_field()
