"""Health of every component the app needs. Plain functions: the API route only formats them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from sqlalchemy import text

from traceiq_app.db import get_engine
from traceiq_app.redis_conn import get_redis
from traceiq_app.services.platform.storage import get_storage

# Every worker process refreshes its own key `traceiq:worker-alive:<name>` every
# WORKER_BEAT_S seconds from a thread of its own (idle or busy, see processes/worker.py); the key
# expires WORKER_ALIVE_TTL_S seconds after the last beat, so a killed worker counts dead within it.
WORKER_BEAT_S = 2.0
WORKER_ALIVE_TTL_S = 10
WORKER_ALIVE_PREFIX = "traceiq:worker-alive:"


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


def record_worker_alive(client: redis.Redis, name: str) -> None:
    """One heartbeat of worker `name` (called every WORKER_BEAT_S by the worker's own thread)."""
    client.set(WORKER_ALIVE_PREFIX + name, datetime.now(UTC).isoformat(), ex=WORKER_ALIVE_TTL_S)


def forget_worker(client: redis.Redis, name: str) -> None:
    """A worker that exits cleanly stops counting at once."""
    client.delete(WORKER_ALIVE_PREFIX + name)


def alive_workers(client: redis.Redis) -> list[str]:
    """Names of the workers whose heartbeat key has not expired."""
    names = []
    for key in client.scan_iter(match=WORKER_ALIVE_PREFIX + "*", count=500):
        raw = key.decode() if isinstance(key, bytes) else str(key)
        names.append(raw.removeprefix(WORKER_ALIVE_PREFIX))
    return sorted(names)


def _workers() -> str:
    alive = alive_workers(get_redis())
    if not alive:
        raise RuntimeError(f"no worker heartbeat in the last {WORKER_ALIVE_TTL_S} s")
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
