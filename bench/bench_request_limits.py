"""What the request-limits middleware (api/request_limits.py) costs per request, and what it saves.

    .venv/bin/python bench/bench_request_limits.py [--requests 2000]

In-process (httpx's ASGI transport, no sockets), the /api app with and without
RequestLimitsMiddleware, rounds interleaved, median of 5:
  - GET /api/health/live (no body), POST /api/auth/logout with a 100 KB body (streamed through
    the counting `receive`);
  - a 50 MB body to POST /api/auth/login (a route that reads its body): time to the answer and
    the process's peak memory growth, with the middleware (413 at 1 MB) and without (read whole).
Target: <= 1.10x per ordinary request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _apps():  # type: ignore[no-untyped-def]
    from traceiq_app.api.app import create_api
    from traceiq_app.api.request_limits import RequestLimitsMiddleware

    with_limits = create_api()
    without = create_api()
    without.user_middleware = [m for m in without.user_middleware if m.cls is not RequestLimitsMiddleware]
    without.middleware_stack = None
    return with_limits, without


async def _time(app, method: str, path: str, body: bytes | None, n: int) -> float:  # type: ignore[no-untyped-def]
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3000") as client:
        headers = {"Origin": "http://localhost:3000"}
        started = time.perf_counter()
        for _ in range(n):
            response = await client.request(method, path, content=body, headers=headers)
            assert response.status_code < 500, response.text
        return (time.perf_counter() - started) / n * 1e6  # µs per request


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _huge(app) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    import httpx

    async def chunks():  # type: ignore[no-untyped-def]
        block = b"a" * (1024 * 1024)
        for _ in range(50):
            yield block

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3000") as client:
        started = time.perf_counter()
        response = await client.post("/api/auth/login", content=chunks(), headers={"Origin": "http://localhost:3000"})
        return (time.perf_counter() - started) * 1000, response.status_code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("TRACEIQ_DATA_DIR", tempfile.mkdtemp(prefix="tiq-bench-limits-"))
    with_limits, without = _apps()
    cases = [("GET /api/health/live", "GET", "/api/health/live", None),
             ("POST 100 KB /api/auth/logout", "POST", "/api/auth/logout", b"x" * 100 * 1024)]
    print(f"{'case':32} {'without µs':>11} {'with µs':>9} {'ratio':>6}")
    for label, method, path, body in cases:
        base, limited = [], []
        for _ in range(5):
            base.append(asyncio.run(_time(without, method, path, body, args.requests)))
            limited.append(asyncio.run(_time(with_limits, method, path, body, args.requests)))
        b, w = statistics.median(base), statistics.median(limited)
        print(f"{label:32} {b:11.1f} {w:9.1f} {w / b:6.2f}x")
    before = _peak_mb()
    ms, status = asyncio.run(_huge(with_limits))
    after_limited = _peak_mb()
    print(f"50 MB body, with limits:    {status} in {ms:7.1f} ms, peak RSS +{after_limited - before:6.1f} MB")
    ms, status = asyncio.run(_huge(without))
    print(f"50 MB body, without limits: {status} in {ms:7.1f} ms, peak RSS +{_peak_mb() - after_limited:6.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
