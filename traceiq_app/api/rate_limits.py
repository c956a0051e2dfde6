"""Rate limits of /api (an ASGI middleware, installed by `create_api()`).

* A request with `Authorization: Bearer tiq_...` counts against its token (keyed by the token's
  digest: a made-up token cannot borrow another's bucket), a signed-in browser against its
  session cookie: TRACEIQ_API_RATE_LIMIT.
* Anonymous requests count per client IP: TRACEIQ_API_ANONYMOUS_RATE_LIMIT.
* A request whose token was refused (401) counts against its IP's failure budget
  (TRACEIQ_API_AUTH_FAILURE_LIMIT); over it, every /api request from that IP gets 429 until the
  window ends, so tokens cannot be guessed at speed.

Over a limit: 429, `Retry-After: <seconds>`, the error envelope on /api/v1. Counters live in
Redis (the `limits` package), shared by all web processes; while Redis is unreachable each
process counts in memory instead (checked again after a few seconds).

The client IP is the connecting address, or — only when that address is one of
TRACEIQ_TRUSTED_PROXIES — the right-most X-Forwarded-For entry that is not a trusted proxy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from functools import lru_cache
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)

EXEMPT = ("/api/health", "/api/docs")
_DOWN_FOR_S = 5.0


@lru_cache(maxsize=32)
def _networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    nets = []
    for part in (p.strip() for p in spec.split(",")):
        if part:
            try:
                nets.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                log.warning("TRACEIQ_TRUSTED_PROXIES: %r is not an IP address or network; ignored", part)
    return tuple(nets)


def _trusted(address: str, nets: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_ip(peer: str | None, forwarded_for: str | None, trusted_proxies: str | None = None) -> str | None:
    """The client's address: `peer`, unless `peer` is a trusted proxy and X-Forwarded-For says more."""
    spec = get_settings().trusted_proxies if trusted_proxies is None else trusted_proxies
    nets = _networks(spec)
    if not peer or not nets or not forwarded_for or not _trusted(peer, nets):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from the client's side: do not trust any of it
    return hops[0] if hops else peer


def scope_client_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    peer = client[0] if client else None
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    return client_ip(peer, headers.get("x-forwarded-for"))


def _storage_url(url: str) -> str:
    if url.startswith("unix://"):
        return "redis+unix://" + url.removeprefix("unix://")
    return url


class Limiter:
    """Fixed windows in Redis, or in this process's memory while Redis is down."""

    def __init__(self) -> None:
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self._redis: FixedWindowRateLimiter | None = None
        self._redis_url = ""
        self._down_until = 0.0

    def _limiter(self) -> FixedWindowRateLimiter:
        if time.monotonic() < self._down_until:
            return self.memory
        url = get_settings().redis_url_effective
        if self._redis is None or url != self._redis_url:
            storage = storage_from_string(_storage_url(url), socket_connect_timeout=1, socket_timeout=1)
            assert isinstance(storage, Storage)
            self._redis, self._redis_url = FixedWindowRateLimiter(storage), url
        return self._redis

    def _call(self, method: str, *args: Any) -> Any:
        limiter = self._limiter()
        try:
            return getattr(limiter, method)(*args)
        except Exception as exc:  # noqa: BLE001 - any storage error: count in memory for a while
            if limiter is self.memory:
                raise
            log.warning("rate limits: Redis unavailable (%s); counting in memory for %.0f s", exc, _DOWN_FOR_S)
            self._down_until = time.monotonic() + _DOWN_FOR_S
            return getattr(self.memory, method)(*args)

    def hit(self, items: list[RateLimitItem], key: str) -> int:
        """Count one request; 0 when allowed, else the seconds until it would be."""
        for item in items:
            if not self._call("hit", item, key):
                return self.retry_after(item, key)
        return 0

    def blocked(self, items: list[RateLimitItem], key: str) -> int:
        for item in items:
            if not self._call("test", item, key):
                return self.retry_after(item, key)
        return 0

    def retry_after(self, item: RateLimitItem, key: str) -> int:
        stats = self._call("get_window_stats", item, key)
        return max(1, int(stats.reset_time - time.time()) + 1)


@lru_cache(maxsize=16)
def _items(spec: str) -> list[RateLimitItem]:
    return list(parse_many(spec))


class ApiRateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.limiter = Limiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/api/") or path.startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool

        settings = get_settings()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        ip = scope_client_ip(scope) or "unknown"
        auth = headers.get("authorization", "")
        cookie = headers.get("cookie", "")
        failures = _items(settings.api_auth_failure_limit)
        wait = await run_in_threadpool(self.limiter.blocked, failures, f"api-auth-fail:{ip}")
        if not wait:
            if auth:
                bucket, items = "token:" + hashlib.sha256(auth.encode()).hexdigest()[:32], settings.api_rate_limit
            elif "tiq_session=" in cookie:
                bucket, items = "session:" + hashlib.sha256(cookie.encode()).hexdigest()[:32], settings.api_rate_limit
            else:
                bucket, items = f"ip:{ip}", settings.api_anonymous_rate_limit
            wait = await run_in_threadpool(self.limiter.hit, _items(items), f"api:{bucket}")
        if wait:
            await _too_many(scope, receive, send, wait)
            return
        status: dict[str, int] = {}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if auth and status.get("code") == 401:
            await run_in_threadpool(self.limiter.hit, failures, f"api-auth-fail:{ip}")


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: int) -> None:
    from starlette.responses import JSONResponse

    message = f"too many requests; retry in {wait} s"
    headers = {"Retry-After": str(wait)}
    if scope.get("path", "").startswith("/api/v1"):
        response = JSONResponse({"error": {"code": "rate_limited", "message": message, "details": {"retry_after": wait}}},
                                status_code=429, headers=headers)
    else:
        response = JSONResponse({"detail": message}, status_code=429, headers=headers)
    await response(scope, receive, send)
