"""Rate limits of /api: per token, per IP for anonymous requests, per IP for wrong tokens (then
every request from that IP waits); 429 with Retry-After in the error envelope; X-Forwarded-For
only from TRACEIQ_TRUSTED_PROXIES; counted in memory while Redis is down."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import assert_error


def _client(monkeypatch: pytest.MonkeyPatch, ip: str = "203.0.113.7", **settings: str) -> TestClient:
    from traceiq_app.api.app import create_api
    from traceiq_app.settings import reset_settings_cache

    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()
    return TestClient(create_api(), base_url="http://testserver", client=(ip, 50000))


def test_per_token_and_anonymous_limits(api, monkeypatch):
    client = _client(monkeypatch, TRACEIQ_API_RATE_LIMIT="3/minute", TRACEIQ_API_ANONYMOUS_RATE_LIMIT="2/minute")
    alice, bob = api.token("alice"), api.token("bob")
    for _ in range(3):
        assert client.get("/api/v1/projects", headers=alice).status_code == 200
    limited = client.get("/api/v1/projects", headers=alice)
    err = assert_error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 61 and err["details"]["retry_after"] >= 1
    assert client.get("/api/v1/projects", headers=bob).status_code == 200  # another token, its own budget
    for _ in range(2):
        assert client.get("/api/v1/projects").status_code == 401
    assert_error(client.get("/api/v1/projects"), 429)
    assert client.get("/api/health").status_code != 429  # health checks are never limited


def test_wrong_tokens_lock_the_ip_and_proxies_must_be_trusted(api, monkeypatch):
    client = _client(monkeypatch, TRACEIQ_API_AUTH_FAILURE_LIMIT="3/minute")
    guesses = [{"Authorization": f"Bearer tiq_guess{n:03d}_nope"} for n in range(4)]
    for header in guesses[:3]:
        assert_error(client.get("/api/v1/projects", headers=header), 401)
    assert_error(client.get("/api/v1/projects", headers=guesses[3]), 429)
    assert_error(client.get("/api/v1/projects", headers=api.token("alice")), 429)  # the whole IP waits
    # A spoofed X-Forwarded-For from an untrusted peer changes nothing.
    spoofed = {**api.token("alice"), "X-Forwarded-For": "198.51.100.1"}
    assert_error(client.get("/api/v1/projects", headers=spoofed), 429)

    # Behind a trusted proxy, the forwarded client is the one counted.
    proxy = _client(monkeypatch, ip="10.0.0.2", TRACEIQ_TRUSTED_PROXIES="10.0.0.0/8",
                    TRACEIQ_API_AUTH_FAILURE_LIMIT="3/minute")
    for n in range(3):
        proxy.get("/api/v1/projects", headers={"Authorization": f"Bearer tiq_x{n}", "X-Forwarded-For": "198.51.100.9"})
    assert_error(proxy.get("/api/v1/projects", headers={**api.token("alice"), "X-Forwarded-For": "198.51.100.9"}), 429)
    ok = proxy.get("/api/v1/projects", headers={**api.token("alice"), "X-Forwarded-For": "198.51.100.10, 10.0.0.3"})
    assert ok.status_code == 200, ok.text


def test_memory_counts_while_redis_is_down(api, monkeypatch):
    alice = api.token("alice")
    client = _client(monkeypatch, TRACEIQ_API_RATE_LIMIT="2/minute")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    from traceiq_app.settings import reset_settings_cache

    reset_settings_cache()
    assert [client.get("/api/v1/projects", headers=alice).status_code for _ in range(3)] == [200, 200, 429]
