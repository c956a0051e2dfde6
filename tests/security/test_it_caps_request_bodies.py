"""Every route caps its request body at the stream: a huge Content-Length is refused before the
body is read, a chunked body is cut off at the limit, both with a 413 that names the limit and
repeats nothing that was sent; the web process's memory does not grow with the body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.http_support import ApiProcess, send_huge
from tests.support.processes import RedisServer, base_env

pytestmark = pytest.mark.slow

LIMIT_KB = 64


@pytest.fixture
def api(tmp_path: Path, redis_server: RedisServer) -> Iterator[ApiProcess]:
    env = base_env(TRACEIQ_DATA_DIR=str(tmp_path / "data"), REDIS_URL=redis_server.url,
                   TRACEIQ_MAX_BODY_KB=str(LIMIT_KB))
    server = ApiProcess(env)
    yield server
    print(server.stop())


def _assert_413(response, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status == 413, (response.status, response.body[:300])
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"limit_bytes": limit}
    assert str(limit) in error["message"]
    assert b"aaaa" not in response.body


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/login-form", "/api/me", "/anything/else"])
def test_it_refuses_a_declared_oversized_body_before_reading_it(api: ApiProcess, path: str) -> None:
    # 300 MB announced; the answer must come before the client could send more than a sliver.
    response = send_huge(api.url, path, total_bytes=300 * 1024 * 1024, chunked=False,
                         headers={"Content-Type": "application/json", "Origin": api.url})
    _assert_413(response, LIMIT_KB * 1024)
    assert response.sent_bytes < 50 * 1024 * 1024


def test_it_cuts_off_a_chunked_body_at_the_limit(api: ApiProcess) -> None:
    before = api.rss_mb()
    response = send_huge(api.url, "/api/auth/login", total_bytes=300 * 1024 * 1024, chunked=True,
                         headers={"Content-Type": "application/json", "Origin": api.url})
    _assert_413(response, LIMIT_KB * 1024)
    assert response.sent_bytes < 50 * 1024 * 1024
    assert api.rss_mb() - before < 100, "the web process's peak memory grew with the body"


def test_it_lets_bodies_under_the_limit_through(api: ApiProcess) -> None:
    import httpx

    body = b"x" * (LIMIT_KB * 1024 - 10)  # just under the limit, chunked: counted, not refused
    response = httpx.post(api.url + "/api/auth/logout", content=iter([body[:1000], body[1000:]]),
                          headers={"Origin": api.url}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json() == {"signed_out": True}
