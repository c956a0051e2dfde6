"""Schedules: run a selection on a cron expression (evaluated in `timezone`). The scheduler
polls enabled schedules by `next_fire_at`."""

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
from traceiq_app.models.enums import Browser


class Schedule(SQLModel, table=True):
    __tablename__ = "schedules"
    __table_args__ = (sa.Index("ix_schedules_enabled_next_fire_at", "enabled", "next_fire_at"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    cron: str = Field(max_length=100)
    timezone: str = Field(default="UTC", max_length=64)  # IANA name
    selection: dict[str, Any] = json_field(dict)  # RunSelection.to_json()
    environment_id: uuid.UUID | None = fk_field(
        "environments.id", ondelete="SET NULL", nullable=True, index=True
    )
    browsers: list[str] = json_field(lambda: [Browser.chromium.value])
    retries: int = Field(default=0, ge=0, le=5)
    enabled: bool = Field(default=True)
    next_fire_at: datetime | None = timestamp_field()
    last_fired_at: datetime | None = timestamp_field()
    # A tick that could not start a run (workers down, queue unreachable, misconfiguration).
    missed_at: datetime | None = timestamp_field()
    missed_reason: str | None = Field(default=None, max_length=500)
    created_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
