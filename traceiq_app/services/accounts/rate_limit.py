"""Brute-force protection for sign-in (and other abusable forms such as password-reset mails).

Counters live in Redis (`get_redis()`: the embedded one or REDIS_URL), so every web process
sees the same numbers. Per key (an email's hash, a client IP) failures are counted in a
window of `TRACEIQ_LOGIN_LOCKOUT_MINUTES`; reaching the limit locks that key for the same
time. If Redis cannot be reached, an in-process counter keeps protecting this process (and a
warning is logged) rather than turning sign-in off or leaving it unprotected.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass

import redis

from traceiq_app.redis_conn import get_redis
from traceiq_app.settings import get_settings

log = logging.getLogger("traceiq.rate_limit")
_PREFIX = "tiq:rl:"


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    name: str  # "acct", "ip", "reset"
    max_failures: int
    window_seconds: int


def login_limits() -> tuple[Limit, Limit]:
    s = get_settings()
    window = s.login_lockout_minutes * 60
    return Limit("acct", s.login_max_failures, window), Limit("ip", s.login_max_failures_per_ip, window)


def key_for(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


# --- in-process fallback ---------------------------------------------------------------------

_mem_lock = threading.Lock()
_mem: dict[str, tuple[int, float]] = {}  # key -> (count, expires_at)


def _mem_get(key: str) -> tuple[int, float]:
    with _mem_lock:
        count, exp = _mem.get(key, (0, 0.0))
        if exp and exp < time.time():
            _mem.pop(key, None)
            return 0, 0.0
        return count, exp


def _mem_incr(key: str, ttl: int) -> int:
    with _mem_lock:
        count, exp = _mem.get(key, (0, 0.0))
        if not exp or exp < time.time():
            count, exp = 0, time.time() + ttl
        _mem[key] = (count + 1, exp)
        return count + 1


def _mem_set(key: str, ttl: int) -> None:
    with _mem_lock:
        _mem[key] = (1, time.time() + ttl)


def _mem_delete(*keys: str) -> None:
    with _mem_lock:
        for key in keys:
            _mem.pop(key, None)


# --- the limiter -------------------------------------------------------------------------------


def _lock_key(limit: Limit, value: str) -> str:
    return f"{_PREFIX}lock:{limit.name}:{key_for(value)}"


def _count_key(limit: Limit, value: str) -> str:
    return f"{_PREFIX}fail:{limit.name}:{key_for(value)}"


def locked_for(limit: Limit, value: str) -> int:
    """Seconds left on a lock of `value` under `limit` (0: not locked)."""
    key = _lock_key(limit, value)
    try:
        ttl = int(get_redis().ttl(key))  # type: ignore[arg-type]  # -2 missing, -1 no expiry
        return max(ttl, 0) if ttl != -1 else limit.window_seconds
    except (redis.RedisError, OSError) as exc:
        log.warning("rate limiter: Redis unavailable (%s); using in-process counters", exc)
        _count, exp = _mem_get(key)
        return max(int(math.ceil(exp - time.time())), 0) if exp else 0


def check(limit: Limit, value: str, message: str) -> None:
    left = locked_for(limit, value)
    if left > 0:
        minutes = max(1, math.ceil(left / 60))
        raise RateLimited(message.format(minutes=minutes, s="" if minutes == 1 else "s"), left)


def hit(limit: Limit, value: str) -> bool:
    """Count one failure; True when this failure locked the key."""
    count_key, lock_key = _count_key(limit, value), _lock_key(limit, value)
    try:
        r = get_redis()
        pipe = r.pipeline()
        pipe.incr(count_key)
        pipe.expire(count_key, limit.window_seconds, nx=True)
        count = int(pipe.execute()[0])
        if count >= limit.max_failures:
            r.set(lock_key, "1", ex=limit.window_seconds)
            r.delete(count_key)
            return True
        return False
    except (redis.RedisError, OSError) as exc:
        log.warning("rate limiter: Redis unavailable (%s); using in-process counters", exc)
        count = _mem_incr(count_key, limit.window_seconds)
        if count >= limit.max_failures:
            _mem_set(lock_key, limit.window_seconds)
            _mem_delete(count_key)
            return True
        return False


def clear(limit: Limit, value: str) -> None:
    keys = (_count_key(limit, value), _lock_key(limit, value))
    with contextlib.suppress(redis.RedisError, OSError):
        get_redis().delete(*keys)
    _mem_delete(*keys)


def reset_failures(limit: Limit, value: str) -> None:
    """After a successful sign-in: forget earlier failures (an active lock stays)."""
    key = _count_key(limit, value)
    with contextlib.suppress(redis.RedisError, OSError):
        get_redis().delete(key)
    _mem_delete(key)
