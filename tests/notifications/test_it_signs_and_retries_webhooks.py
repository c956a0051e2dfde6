"""A generic webhook gets the Standard Webhooks envelope, signed so that the independent
`standardwebhooks` library accepts it; a receiver that fails the first attempts gets the same
message (same webhook-id) again on the backoff schedule, and the delivery log has every attempt."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from tests.notifications.conftest import drain
from traceiq_app.db import get_engine
from traceiq_app.models import NotificationChannel, NotificationDelivery
from traceiq_app.services.notifications import channels, deliveries, publish

RUN_DATA = {"run_id": str(uuid.uuid4()), "status": "failed", "previous_status": "passed", "trigger": "ui",
            "totals": {"total": 2, "passed": 1, "failed": 1, "flaky": 0, "errors": 0, "skipped": 0},
            "failing_tests": [{"name": "checkout", "browser": "chromium", "error": "expected 3 items\nmore"}]}


def _webhook(project, receiver, events=("run.failed",), **rule):  # type: ignore[no-untyped-def]
    created = channels.create_channel(project.id, "webhook", "CI hook", url=receiver.url)
    assert created.secret is not None and created.secret.startswith("whsec_")
    receiver.secret = created.secret
    channels.create_rule(project.id, created.channel.id, list(events), **rule)
    return created.channel


def _make_due(delivery_id: str) -> None:
    with Session(get_engine()) as s:
        s.execute(sa.update(NotificationDelivery).where(col(NotificationDelivery.id) == uuid.UUID(delivery_id))
                  .values(next_attempt_at=deliveries.utcnow() - timedelta(seconds=1)))
        s.commit()


def test_it_delivers_a_signed_envelope(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    _webhook(notify_db, receiver)
    created = publish(notify_db.id, "run.failed", RUN_DATA, event_id="evt-1")
    assert len(created) == 1
    assert drain() == 1

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.signature_ok is True, got.headers
    assert got.headers["webhook-id"] == "evt-1"
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    assert body["type"] == "run.failed" and body["data"] == RUN_DATA and body["timestamp"].endswith("Z")

    log = deliveries.list_deliveries(notify_db.id)
    assert [(d["status"], d["attempts"]) for d in log] == [("succeeded", 1)]
    assert log[0]["log"][0]["status_code"] == 204 and log[0]["log"][0]["response_ms"] is not None


def test_it_sends_an_event_once_per_channel(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    _webhook(notify_db, receiver)
    assert len(publish(notify_db.id, "run.failed", RUN_DATA, event_id="evt-dup")) == 1
    assert publish(notify_db.id, "run.failed", RUN_DATA, event_id="evt-dup") == []
    drain()
    assert len(receiver.received) == 1


def test_it_retries_with_backoff_and_logs_every_attempt(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    _webhook(notify_db, receiver)
    receiver.fail_first(2, status=503)
    [delivery_id] = publish(notify_db.id, "run.failed", RUN_DATA, event_id="evt-retry")
    before = deliveries.utcnow()
    drain()
    [row] = deliveries.list_deliveries(notify_db.id)
    assert row["status"] == "retrying" and row["attempts"] == 1 and row["last_status_code"] == 503
    # the second attempt waits 5 s, the third 5 min
    with Session(get_engine()) as s:
        d = s.get(NotificationDelivery, delivery_id)
        assert d is not None and d.next_attempt_at is not None
        assert timedelta(seconds=4) <= d.next_attempt_at - before <= timedelta(seconds=7)
    assert deliveries.sweep() == 0  # not due yet

    _make_due(str(delivery_id))
    assert deliveries.sweep() == 1
    drain()
    with Session(get_engine()) as s:
        d = s.get(NotificationDelivery, delivery_id)
        assert d is not None and d.status == "retrying" and d.next_attempt_at is not None
        assert timedelta(minutes=4) <= d.next_attempt_at - deliveries.utcnow() <= timedelta(minutes=6)

    _make_due(str(delivery_id))
    deliveries.sweep()
    drain()
    [row] = deliveries.list_deliveries(notify_db.id)
    assert row["status"] == "succeeded" and row["attempts"] == 3
    assert [a["status_code"] for a in row["log"]] == [503, 503, 204]
    assert row["log"][0]["response_excerpt"] == "receiver says no"
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {"evt-retry"} and all(r.signature_ok for r in receiver.received)


def test_it_follows_the_documented_backoff_schedule() -> None:
    assert [deliveries.next_delay_s(n) for n in range(1, 8)] == [5, 300, 1800, 7200, 3600, 3600, 3600]
    assert deliveries.next_delay_s(1, retry_after_s=120) == 120  # Retry-After asks for longer: honoured
    assert deliveries.next_delay_s(2, retry_after_s=1) == 300  # shorter: the schedule wins


def test_it_honours_retry_after(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    _webhook(notify_db, receiver)
    receiver.fail_first(1, status=429, headers={"Retry-After": "600"})
    [delivery_id] = publish(notify_db.id, "run.failed", RUN_DATA)
    drain()
    with Session(get_engine()) as s:
        d = s.get(NotificationDelivery, delivery_id)
        assert d is not None and d.status == "retrying" and d.next_attempt_at is not None
        assert d.next_attempt_at - deliveries.utcnow() >= timedelta(seconds=590)


def test_it_disables_the_endpoint_on_410(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    channel = _webhook(notify_db, receiver)
    receiver.fail_first(1, status=410)
    publish(notify_db.id, "run.failed", RUN_DATA)
    drain()
    [row] = deliveries.list_deliveries(notify_db.id)
    assert row["status"] == "failed" and row["last_status_code"] == 410
    with Session(get_engine()) as s:
        c = s.get(NotificationChannel, channel.id)
        assert c is not None and c.enabled is False and "410" in (c.disabled_reason or "")
    assert publish(notify_db.id, "run.failed", RUN_DATA) == []  # a disabled channel gets nothing new


def test_it_retries_a_receiver_that_does_not_answer_in_time(notify_db, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.settings import reset_settings_cache

    monkeypatch.setenv("TRACEIQ_WEBHOOK_TIMEOUT_SECONDS", "0.5")
    reset_settings_cache()
    _webhook(notify_db, receiver)
    receiver.plan.append((200, {}, 2.0))
    publish(notify_db.id, "run.failed", RUN_DATA)
    drain()
    [row] = deliveries.list_deliveries(notify_db.id)
    assert row["status"] == "retrying" and "no answer within 0.5 s" in (row["last_error"] or "")


def test_it_redelivers_from_the_log(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    _webhook(notify_db, receiver)
    [delivery_id] = publish(notify_db.id, "run.failed", RUN_DATA, event_id="evt-again")
    drain()
    deliveries.redeliver(notify_db.id, delivery_id)
    drain()
    assert [r.headers["webhook-id"] for r in receiver.received] == ["evt-again", "evt-again"]
    [row] = deliveries.list_deliveries(notify_db.id)
    assert row["attempts"] == 2 and row["status"] == "succeeded"


def test_it_signs_with_both_secrets_while_rotating(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    channel = _webhook(notify_db, receiver)
    old = receiver.secret
    new = channels.rotate_secret(notify_db.id, channel.id)
    publish(notify_db.id, "run.failed", RUN_DATA)
    drain()
    got = receiver.received[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):  # a receiver on either secret accepts the message
        receiver.secret = secret
        assert receiver.verify(got.body, got.headers) is True
    receiver.secret = "whsec_" + "QUJD" * 8
    assert receiver.verify(got.body, got.headers) is False
