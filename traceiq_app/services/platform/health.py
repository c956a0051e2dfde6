"""Health of every component the app needs. Plain functions: the API route only formats them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from rq import Worker
from sqlalchemy import text

from traceiq_app.db import get_engine
from traceiq_app.redis_conn import get_redis
from traceiq_app.services.platform.storage import get_storage

# A worker whose heartbeat is older than this is presumed dead even if it is still registered.
WORKER_HEARTBEAT_MAX_AGE_S = 60


@dataclass
class ComponentHealth:
    ok: bool
    detail: str
    latency_ms: float

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, "latency_ms": round(self.latency_ms, 1)}


def _timed(check: Callable[[], str]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # every failure, whatever its type, is a "down" component
        detail = f"{type(exc).__name__}: {exc}".strip()[:300]
        ok = False
    return ComponentHealth(ok, detail, (time.perf_counter() - started) * 1000)


def _database() -> str:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return get_engine().dialect.name


def _redis() -> str:
    client = get_redis()
    client.ping()
    return "ping ok"


def _workers() -> str:
    client: redis.Redis = get_redis()
    now = datetime.now(UTC)
    alive = []
    for worker in Worker.all(connection=client):
        beat = worker.last_heartbeat
        if beat is None:
            continue
        if beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        if (now - beat).total_seconds() <= WORKER_HEARTBEAT_MAX_AGE_S:
            alive.append(worker.name)
    if not alive:
        raise RuntimeError("no RQ worker with a recent heartbeat")
    return f"{len(alive)} alive"


def _storage() -> str:
    storage = get_storage()
    storage.check_writable()
    return f"{storage.name} writable"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "redis": _redis,
    "workers": _workers,
    "storage": _storage,
}


def check_all() -> dict[str, ComponentHealth]:
    return {name: _timed(check) for name, check in CHECKS.items()}
