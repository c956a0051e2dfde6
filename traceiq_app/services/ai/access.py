"""Who may use the model: the server must have one configured, the project must have opted in,
and the project stays under TRACEIQ_LLM_RATE_LIMIT_PER_MINUTE requests (a Redis counter per
project and minute)."""

from __future__ import annotations

import time
import uuid

from traceiq_app.db import session_scope
from traceiq_app.models import AiSettings, utcnow
from traceiq_app.services.ai.client import NOT_CONFIGURED, LLMError, configured
from traceiq_app.settings import get_settings


def enabled(project_id: uuid.UUID) -> bool:
    with session_scope() as session:
        row = session.get(AiSettings, project_id)
        return bool(row and row.enabled)


def set_enabled(project_id: uuid.UUID, value: bool, user_id: uuid.UUID | None = None) -> bool:
    with session_scope() as session:
        row = session.get(AiSettings, project_id) or AiSettings(project_id=project_id)
        row.enabled, row.updated_by, row.updated_at = bool(value), user_id, utcnow()
        session.add(row)
    return bool(value)


def status(project_id: uuid.UUID) -> str:
    """"" when the model may be used for this project, else why not (shown instead of the buttons)."""
    if not configured():
        return NOT_CONFIGURED
    if not enabled(project_id):
        return "AI assistance is not enabled for this project (an admin can turn it on in the Healing page)."
    return ""


def require(project_id: uuid.UUID) -> None:
    """Raise LLMError when the model may not be used now (off, not opted in, over the rate)."""
    reason = status(project_id)
    if reason:
        raise LLMError("not_configured", reason)
    take_request(project_id)


def take_request(project_id: uuid.UUID) -> None:
    from traceiq_app.redis_conn import get_redis

    limit = get_settings().llm_rate_limit_per_minute
    key = f"tiq:ai:rate:{project_id}:{int(time.time() // 60)}"
    client = get_redis()
    count = int(client.incr(key))  # type: ignore[arg-type]
    if count == 1:
        client.expire(key, 120)
    if count > limit:
        raise LLMError("rate_limited", f"this project made {limit} AI requests this minute (the limit); "
                                       "try again in a minute")
