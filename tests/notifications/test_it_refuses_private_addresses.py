"""Outgoing notification requests refuse private, loopback and link-local addresses (also
through a DNS name that resolves to 127.0.0.1) unless the administrator allows them; the
receiver sees nothing, and the delivery log says why."""

from __future__ import annotations

import pytest

from tests.notifications.conftest import drain
from traceiq_app.services.notifications import channels, deliveries, outbound, publish
from traceiq_app.settings import reset_settings_cache


@pytest.fixture
def strict(notify_db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACEIQ_WEBHOOK_ALLOW_PRIVATE", "false")
    monkeypatch.delenv("TRACEIQ_WEBHOOK_ALLOWED_HOSTS", raising=False)
    reset_settings_cache()
    return notify_db


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "169.254.169.254",
                                  "[::1]", "0.0.0.0", "[::ffff:127.0.0.1]"])
def test_it_refuses_private_hosts(strict, host) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(outbound.OutboundRefused, match="private/loopback/link-local"):
        outbound.post_json(f"http://{host}:9/hook", b"{}", {})


def test_it_refuses_a_name_that_resolves_to_loopback_and_the_receiver_sees_nothing(strict, receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    created = channels.create_channel(strict.id, "webhook", "sneaky", url=f"http://localhost:{port}")
    channels.create_rule(strict.id, created.channel.id, ["run.failed"])
    publish(strict.id, "run.failed", {"status": "failed"})
    drain()
    assert receiver.received == []
    [row] = deliveries.list_deliveries(strict.id)
    assert row["status"] == "failed"  # a policy refusal is not retried
    assert "localhost resolves to 127.0.0.1" in row["log"][0]["error"]


def test_it_reaches_an_allowlisted_host(strict, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACEIQ_WEBHOOK_ALLOWED_HOSTS", "hooks.internal, 127.0.0.0/8")
    reset_settings_cache()
    created = channels.create_channel(strict.id, "webhook", "allowed", url=receiver.url)
    receiver.secret = created.secret
    channels.create_rule(strict.id, created.channel.id, ["run.failed"])
    publish(strict.id, "run.failed", {"status": "failed"})
    drain()
    assert len(receiver.received) == 1 and receiver.received[0].signature_ok


def test_it_connects_to_the_checked_address_and_keeps_the_host_header(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    response = outbound.post_json(f"http://localhost:{port}/x?y=1", b"{}", {})
    assert response.status_code == 204
    got = receiver.received[0]
    assert got.headers["host"] == f"localhost:{port}" and got.path == "/x?y=1"


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://example.com/x", "https://"),
    ("https://user:pw@example.com/x", "user name or password"),
    ("https:///nohost", "no host"),
    ("", "enter the webhook URL"),
])
def test_it_refuses_bad_urls_at_the_field(notify_db, url, problem) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(channels.ChannelError, match=problem) as caught:
        channels.create_channel(notify_db.id, "webhook", "bad", url=url)
    assert caught.value.field == "url"
    assert channels.list_channels(notify_db.id) == []
