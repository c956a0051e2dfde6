"""What the run dialog remembers per user and project: the environment chosen last time (kept in
Redis for 180 days; nothing to migrate, and losing it only resets a default)."""

from __future__ import annotations

import logging
import uuid

from redis.exceptions import RedisError

from traceiq_app.redis_conn import get_redis

log = logging.getLogger(__name__)
TTL_SECONDS = 180 * 24 * 3600
NONE = "none"


def _key(user_id: uuid.UUID, project_id: uuid.UUID) -> str:
    return f"tiq:run-dialog:env:{user_id}:{project_id}"


def remember_environment(user_id: uuid.UUID, project_id: uuid.UUID, environment_id: uuid.UUID | None) -> None:
    try:
        get_redis().set(_key(user_id, project_id), str(environment_id) if environment_id else NONE, ex=TTL_SECONDS)
    except RedisError as exc:  # only a default is lost
        log.warning("could not remember the run dialog's environment: %s", exc)


def default_environment(user_id: uuid.UUID, project_id: uuid.UUID, environment_ids: list[str]) -> str:
    """The environment the dialog starts with: the user's last choice for this project while it
    still exists (or "none" if they chose none), else the only environment, else "none"."""
    try:
        raw = get_redis().get(_key(user_id, project_id))
    except RedisError:
        raw = None
    last = raw.decode() if isinstance(raw, bytes) else (str(raw) if raw else "")
    if last == NONE or last in environment_ids:
        return last
    return environment_ids[0] if len(environment_ids) == 1 else NONE
