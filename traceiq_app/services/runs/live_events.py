"""Live progress of runs: one Redis Stream per run (schema in docs/live-events.md).

Writers (workers, the run service) call `publish`; it never raises: the database is the
truth and a Redis hiccup must not fail a test. Readers (the web app) call `read_events`
with the last id they saw ("0" replays the run from its beginning).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis

from traceiq_app.redis_conn import get_redis
from traceiq_app.services.observability import metrics
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)

# Event types (the `type` field of every entry).
RUN_QUEUED = "run.queued"
RUN_STARTED = "run.started"
TEST_QUEUED = "test.queued"
TEST_STARTED = "test.started"
STEP_STARTED = "step.started"
STEP_FINISHED = "step.finished"
ARTIFACT_READY = "artifact.ready"
TEST_FINISHED = "test.finished"
RUN_PROGRESS = "run.progress"
RUN_FINISHED = "run.finished"

EVENT_TYPES = (
    RUN_QUEUED, RUN_STARTED, TEST_QUEUED, TEST_STARTED, STEP_STARTED, STEP_FINISHED,
    ARTIFACT_READY, TEST_FINISHED, RUN_PROGRESS, RUN_FINISHED,
)


@dataclass(frozen=True)
class LiveEvent:
    id: str  # the stream entry id, "<ms>-<seq>": pass the last one back to read on
    type: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "data": self.data}


# Per-step console/network errors in `step.finished`: the first few, each cut (the database and
# the API keep them all).
NOTES_MAX = 20
NOTE_CHARS = 2000


def capped(items: list[str] | None) -> list[str]:
    """The first NOTES_MAX entries, each cut to NOTE_CHARS (for `step.finished`)."""
    return [x if len(x) <= NOTE_CHARS else x[:NOTE_CHARS] + " …" for x in (items or [])[:NOTES_MAX]]


def stream_key(run_id: uuid.UUID | str) -> str:
    return f"traceiq:run:{run_id}:events"


# After a failed publish, skip publishing for a moment: with Redis down, every step would
# otherwise wait for a connection timeout.
_BACKOFF_S = 3.0
_down_until = 0.0


def publish(run_id: uuid.UUID | str, type_: str, *, client: redis.Redis | None = None, **data: Any) -> str | None:
    """Append one event; returns its id, or None when Redis is unavailable (logged, not raised)."""
    global _down_until
    metrics.observe_event(run_id, type_, data)  # every state change of a run passes here
    if time.monotonic() < _down_until:
        return None
    settings = get_settings()
    payload = json.dumps({"run_id": str(run_id), **data}, default=str, separators=(",", ":"))
    try:
        entry_id = (client or get_redis()).xadd(
            stream_key(run_id), {"type": type_, "data": payload},
            maxlen=settings.events_maxlen, approximate=True,
        )
    except (redis.RedisError, OSError) as exc:
        _down_until = time.monotonic() + _BACKOFF_S
        log.warning("live event %s for run %s not published (Redis unavailable, pausing events for %.0f s): %s",
                    type_, run_id, _BACKOFF_S, exc)
        return None
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


def expire_stream(run_id: uuid.UUID | str, client: redis.Redis | None = None) -> None:
    """After the run ended: readers can still replay it for TRACEIQ_EVENTS_TTL_HOURS."""
    seconds = int(get_settings().events_ttl_hours * 3600)
    try:
        (client or get_redis()).expire(stream_key(run_id), max(seconds, 1))
    except (redis.RedisError, OSError) as exc:
        log.warning("could not set the expiry of run %s's event stream: %s", run_id, exc)


def _decode(entry_id: Any, fields: dict[Any, Any]) -> LiveEvent:
    def s(value: Any) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    decoded = {s(k): s(v) for k, v in fields.items()}
    try:
        data = json.loads(decoded.get("data", "{}"))
    except ValueError:
        data = {}
    return LiveEvent(id=s(entry_id), type=decoded.get("type", ""), data=data)


STREAM_ID_PATTERN = r"^(0|[0-9]{1,19}(-[0-9]{1,19})?)$"
_STREAM_ID = re.compile(STREAM_ID_PATTERN)


def check_stream_id(value: str) -> str:
    """A Redis stream id as clients send it back ("0", "1700000000000" or "1700000000000-3")."""
    if not _STREAM_ID.match(value or "0"):
        raise ValueError("last_id: must be 0 or an event id such as 1700000000000-0")
    return value or "0"


def read_events(run_id: uuid.UUID | str, last_id: str = "0", block_ms: int | None = None,
                count: int = 500, client: redis.Redis | None = None) -> list[LiveEvent]:
    """Events after `last_id` ("0": from the beginning), oldest first, at most `count`.

    With `block_ms`, waits up to that long for the first new event (XREAD BLOCK); returns []
    on timeout. A missing or expired stream reads as empty.
    """
    last_id = check_stream_id(last_id)
    conn = client or get_redis()
    if block_ms is not None:
        # The shared client has a 5 s socket timeout: keep blocking reads well under it.
        block_ms = min(block_ms, 4000)
        # XREAD BLOCK needs a socket timeout longer than the block.
        response = conn.xread({stream_key(run_id): last_id or "0"}, count=count, block=max(block_ms, 1))
    else:
        response = conn.xread({stream_key(run_id): last_id or "0"}, count=count)
    events: list[LiveEvent] = []
    for _key, entries in response or []:  # type: ignore[union-attr]
        for entry_id, fields in entries:
            events.append(_decode(entry_id, fields))
    return events


async def read_events_async(client: Any, run_id: uuid.UUID | str, last_id: str = "0",
                            block_ms: int | None = 1000, count: int = 500) -> list[LiveEvent]:
    """The same for `redis.asyncio.Redis` (Reflex background tasks)."""
    kwargs: dict[str, Any] = {"count": count}
    if block_ms is not None:
        kwargs["block"] = max(block_ms, 1)
    response = await client.xread({stream_key(run_id): last_id or "0"}, **kwargs)
    return [_decode(entry_id, fields) for _key, entries in response or [] for entry_id, fields in entries]
