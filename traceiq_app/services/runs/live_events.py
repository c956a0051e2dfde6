"""Live progress of runs: one Redis Stream per run (schema in docs/live-events.md).

Writers (workers, the run service) call `publish`; it never raises: the database is the
truth and a Redis hiccup must not fail a test. Readers (the web app) call `read_events`
with the last id they saw ("0" replays the run from its beginning).
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import threading
import time
import uuid
from collections import deque
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


# While Redis is away, events wait in this process, in order, and are republished (with new
# stream ids, still in order) as soon as it answers again. One sender at a time (`_send_lock`):
# a publish that finds another thread sending leaves its event in the backlog for that sender
# (never waiting on a connection timeout), and a flusher thread retries the backlog every
# _RETRY_S. After a failed attempt nobody tries for _BACKOFF_S. The backlog is bounded: past
# _PENDING_MAX the oldest entries are dropped (logged; the database stays the truth).
_BACKOFF_S = 1.0
_RETRY_S = 0.5
_PENDING_MAX = 20_000
_down_until = 0.0
_paused = False
_pending: deque[tuple[str, str, str, str]] = deque()  # (op "xadd"/"expire", run id, type, payload)
_send_lock = threading.Lock()
_flusher_lock = threading.Lock()
_flusher: threading.Thread | None = None


def publish(run_id: uuid.UUID | str, type_: str, *, client: redis.Redis | None = None, **data: Any) -> str | None:
    """Append one event; returns its id, or None when it was not sent yet (Redis unavailable,
    or another thread is sending: it is kept and sent in order). Logged, never raised."""
    metrics.observe_event(run_id, type_, data)  # every state change of a run passes here
    payload = json.dumps({"run_id": str(run_id), **data}, default=str, separators=(",", ":"))
    _pending.append(("xadd", str(run_id), type_, payload))
    return _try_flush(client)


def expire_stream(run_id: uuid.UUID | str, client: redis.Redis | None = None) -> None:
    """After the run ended: readers can still replay it for TRACEIQ_EVENTS_TTL_HOURS."""
    _pending.append(("expire", str(run_id), "", ""))
    _try_flush(client)


def pending_count() -> int:
    """Events of this process waiting to be sent (Redis unavailable)."""
    return len(_pending)


def _try_flush(client: redis.Redis | None) -> str | None:
    if time.monotonic() >= _down_until and _send_lock.acquire(blocking=False):
        try:
            last = _flush(client)
        finally:
            _send_lock.release()
        if not _pending:
            return last
    _ensure_flusher()
    return None


def _flush(client: redis.Redis | None = None) -> str | None:
    """Send the backlog in order (caller holds _send_lock); the id of the last event sent."""
    global _down_until, _paused
    settings = get_settings()
    conn = client or get_redis()
    last: str | None = None
    while _pending:
        op, run_id, type_, payload = _pending[0]
        try:
            if op == "xadd":
                raw = conn.xadd(stream_key(run_id), {"type": type_, "data": payload},
                                maxlen=settings.events_maxlen, approximate=True)
                last = raw.decode() if isinstance(raw, bytes) else str(raw)
            else:
                conn.expire(stream_key(run_id), max(int(settings.events_ttl_hours * 3600), 1))
        except (redis.RedisError, OSError) as exc:
            if not _paused:
                log.warning("live events paused (Redis unavailable); kept to republish in order: %s", exc)
            _paused = True
            _down_until = time.monotonic() + _BACKOFF_S
            while len(_pending) > _PENDING_MAX:
                dropped = _pending.popleft()
                log.warning("live event backlog full: dropped %s of run %s", dropped[2] or dropped[0], dropped[1])
            return None
        _pending.popleft()
    if _paused:
        log.warning("live events: Redis is back, backlog republished")
        _paused = False
    return last


def _ensure_flusher() -> None:
    """A daemon thread that sends whatever is left, every _RETRY_S, for the process's life."""
    global _flusher
    with _flusher_lock:
        if _flusher is None or not _flusher.is_alive():
            _flusher = threading.Thread(target=_flush_loop, name="traceiq-live-events-flush", daemon=True)
            _flusher.start()


def _flush_loop() -> None:
    while True:
        time.sleep(_RETRY_S)
        if _pending and time.monotonic() >= _down_until:
            with _send_lock:
                try:
                    _flush()
                except Exception:  # noqa: BLE001 - keep the flusher alive
                    log.exception("live events: flush failed")


@atexit.register
def _flush_at_exit() -> None:
    global _down_until
    if _pending and _send_lock.acquire(timeout=2):
        try:
            _down_until = 0.0
            _flush()
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass
        finally:
            _send_lock.release()


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
