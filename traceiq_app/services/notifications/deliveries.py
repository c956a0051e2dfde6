"""Publishing events and delivering them.

`publish(project_id, event_type, data, event_id=...)` writes one delivery per channel whose
enabled rules match (unique per channel and event id: publishing twice sends once) and queues a
`jobs.notify.deliver` job for each on the `traceiq-notify` queue. It never sends anything
itself, so a dead receiver cannot slow the caller (a request, a test job).

`deliver(delivery_id)` (the job) claims the delivery (`queued -> sending`, a conditional update:
exactly once), sends it, writes an attempt row (the delivery log) and then either ends it
(`succeeded`), schedules the next attempt (`retrying` + `next_attempt_at`: immediately, 5 s,
5 min, 30 min, 2 h, then hourly until 24 h after the event; a `Retry-After` header wins when
it asks for longer) or gives up (`failed`). A 410 Gone disables the channel.

`sweep()` (the workers' maintenance pass) queues the retries that are due and rescues
deliveries whose job vanished from Redis.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    NotificationAttempt,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    uuid7,
)
from traceiq_app.models import utcnow as _utcnow
from traceiq_app.services.notifications import channels as channel_service
from traceiq_app.services.notifications import formats, outbound, signing
from traceiq_app.services.platform import mailer

log = logging.getLogger("traceiq.notifications")

DELIVER_JOB = "jobs.notify.deliver"
RETRY_DELAYS_S = (5, 5 * 60, 30 * 60, 2 * 3600)  # after the 1st, 2nd, 3rd, 4th failed attempt
HOURLY_S = 3600
GIVE_UP_AFTER = timedelta(hours=24)
STUCK_AFTER = timedelta(minutes=10)  # a queued/sending delivery older than this lost its job
KNOWN_EVENTS = (*channel_service.EVENT_TYPES, channel_service.TEST_EVENT)


def utcnow() -> datetime:
    return _utcnow()


def next_delay_s(failed_attempts: int, retry_after_s: float | None = None) -> float:
    """Seconds to wait after `failed_attempts` failures (1 = the first attempt failed)."""
    index = failed_attempts - 1
    delay = float(RETRY_DELAYS_S[index] if index < len(RETRY_DELAYS_S) else HOURLY_S)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, GIVE_UP_AFTER.total_seconds()))
    return delay


# ---- publishing ---------------------------------------------------------------------------
def publish(project_id: uuid.UUID, event_type: str, data: dict[str, Any], event_id: str | None = None,
            *, only_channel_id: uuid.UUID | None = None, watchers: Iterable[uuid.UUID] = (),
            actor_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Queue `event_type` for every channel of the project with a matching rule (or only for
    `only_channel_id`, rules ignored: the "send test event" button). Returns the ids of the
    deliveries this call created (none for a repeated event id). `watchers` (users who asked to
    follow the object) get it in their in-app inbox too, except `actor_id` (who caused it); they
    are never part of the payload channels receive."""
    if event_type not in KNOWN_EVENTS:
        raise ValueError(f"unknown event type {event_type!r}")
    event_id = event_id or f"evt_{uuid7().hex}"
    now = utcnow()
    payload = formats.envelope(event_type, now.isoformat().replace("+00:00", "Z"), data)
    created: list[uuid.UUID] = []
    with session_scope() as session:
        if only_channel_id is not None:
            targets = [only_channel_id]
        else:
            rules = session.exec(select(NotificationRule).where(NotificationRule.project_id == project_id,
                                                                col(NotificationRule.enabled).is_(True))).all()
            targets = list(dict.fromkeys(r.channel_id for r in rules
                                         if channel_service.rule_matches(r, event_type, data)))
        for channel_id in targets:
            channel = session.get(NotificationChannel, channel_id)
            if channel is None or channel.project_id != project_id:
                continue
            if not channel.enabled and only_channel_id is None:
                continue
            delivery = NotificationDelivery(project_id=project_id, channel_id=channel_id, event_id=event_id,
                                            event_type=event_type, payload=payload, status="retrying",
                                            next_attempt_at=now)
            try:
                with session.begin_nested():
                    session.add(delivery)
            except IntegrityError:
                continue  # this event already went to this channel
            created.append(delivery.id)
    enqueue(created)
    if only_channel_id is None and event_type != channel_service.TEST_EVENT:
        try:
            from traceiq_app.services.notifications.inbox import fan_out

            fan_out(project_id, event_type, data, event_id, watchers=watchers, actor_id=actor_id)
        except Exception:  # noqa: BLE001 - the inbox must not stop the channels' deliveries
            log.exception("could not add %s to the in-app inboxes", event_type)
    return created


def enqueue(delivery_ids: list[uuid.UUID]) -> int:
    """Move due deliveries `retrying -> queued` and put a job on the queue for each one this
    process moved. If Redis is down they go back to `retrying` and the sweep tries later."""
    from rq import Queue

    from traceiq_app.redis_conn import NOTIFY_QUEUE, get_redis

    queued = 0
    for delivery_id in delivery_ids:
        with session_scope() as session:
            moved = session.execute(sa.update(NotificationDelivery).where(
                col(NotificationDelivery.id) == delivery_id, col(NotificationDelivery.status) == "retrying",
            ).values(status="queued", updated_at=utcnow()))
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                continue
        try:
            Queue(NOTIFY_QUEUE, connection=get_redis()).enqueue(
                DELIVER_JOB, str(delivery_id), job_timeout=int(_timeout() * 2 + 30), result_ttl=600,
                failure_ttl=24 * 3600, job_id=f"notify-{delivery_id}-{uuid7().hex[:8]}")
            queued += 1
        except Exception as exc:  # noqa: BLE001 - Redis down: the sweep queues it later
            log.warning("could not queue notification %s: %s", delivery_id, exc)
            with session_scope() as session:
                session.execute(sa.update(NotificationDelivery).where(
                    col(NotificationDelivery.id) == delivery_id, col(NotificationDelivery.status) == "queued",
                ).values(status="retrying"))
    return queued


def _timeout() -> float:
    from traceiq_app.settings import get_settings

    return get_settings().webhook_timeout_seconds


def sweep(now: datetime | None = None) -> int:
    """Queue the deliveries whose next attempt is due; rescue those whose job was lost."""
    now = now or utcnow()
    with session_scope() as session:
        session.execute(sa.update(NotificationDelivery).where(
            col(NotificationDelivery.status).in_(["queued", "sending"]),
            col(NotificationDelivery.updated_at) < now - STUCK_AFTER,
        ).values(status="retrying", next_attempt_at=now))
        due = list(session.exec(select(NotificationDelivery.id).where(
            NotificationDelivery.status == "retrying", col(NotificationDelivery.next_attempt_at) <= now,
        ).limit(500)).all())
    return enqueue(due) if due else 0


def redeliver(project_id: uuid.UUID, delivery_id: uuid.UUID) -> NotificationDelivery:
    """Send a delivery again now (the delivery log's "Redeliver"), whatever its state."""
    with session_scope() as session:
        delivery = session.get(NotificationDelivery, delivery_id)
        if delivery is None or delivery.project_id != project_id:
            raise channel_service.NotFound("delivery not found")
        if delivery.status in ("queued", "sending"):
            return delivery
        delivery.status = "retrying"
        delivery.next_attempt_at = utcnow()
        delivery.created_at = utcnow()  # the 24-hour retry window starts again
    enqueue([delivery_id])
    return delivery


# ---- sending ------------------------------------------------------------------------------
class _Outcome:
    def __init__(self, ok: bool, status_code: int | None = None, elapsed_ms: int | None = None,
                 excerpt: str | None = None, error: str | None = None, retry_after_s: float | None = None,
                 permanent: bool = False) -> None:
        self.ok, self.status_code, self.elapsed_ms = ok, status_code, elapsed_ms
        self.excerpt, self.error, self.retry_after_s, self.permanent = excerpt, error, retry_after_s, permanent


def _send(channel: NotificationChannel, delivery: NotificationDelivery) -> _Outcome:
    payload = delivery.payload
    event_type, data = str(payload.get("type")), dict(payload.get("data") or {})
    if channel.kind == "email":
        subject, text, html = formats.email(event_type, data)
        started = time.monotonic()
        try:
            for to in channel.emails:
                if not mailer.send_mail(to, subject, text, html=html):
                    return _Outcome(False, error="mail is not configured (TRACEIQ_SMTP_HOST)", permanent=True)
        except mailer.MailError as exc:
            return _Outcome(False, error=str(exc)[:1000])
        return _Outcome(True, elapsed_ms=int((time.monotonic() - started) * 1000))
    config = channel_service.channel_config(channel)
    if channel.kind == "slack":
        body_obj: dict[str, Any] = formats.slack(event_type, data)
        headers: dict[str, str] = {}
    elif channel.kind == "teams":
        body_obj, headers = formats.teams(event_type, data), {}
    else:
        body_obj = payload
    body = json.dumps(body_obj, separators=(",", ":"), ensure_ascii=False).encode()
    if channel.kind == "webhook":
        headers = signing.headers(config.get("secrets") or [], delivery.event_id, int(time.time()), body)
    try:
        response = outbound.post_json(str(config.get("url") or ""), body, headers)
    except outbound.OutboundRefused as exc:
        return _Outcome(False, error=str(exc)[:1000], permanent=True)
    except httpx.TimeoutException:
        return _Outcome(False, error=f"no answer within {_timeout():g} s")
    except httpx.HTTPError as exc:
        return _Outcome(False, error=f"{type(exc).__name__}: {exc}"[:1000])
    ok = 200 <= response.status_code < 300
    return _Outcome(ok, response.status_code, response.elapsed_ms, response.excerpt,
                    None if ok else f"HTTP {response.status_code}", response.retry_after_s)


def deliver(delivery_id: uuid.UUID) -> str:
    """Send one delivery (the RQ job's body). Returns its status afterwards."""
    with session_scope() as session:
        claimed = session.execute(sa.update(NotificationDelivery).where(
            col(NotificationDelivery.id) == delivery_id, col(NotificationDelivery.status) == "queued",
        ).values(status="sending", attempts=NotificationDelivery.attempts + 1, updated_at=utcnow()))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return "skipped"
    with session_scope() as session:
        delivery = session.get(NotificationDelivery, delivery_id)
        assert delivery is not None
        channel = session.get(NotificationChannel, delivery.channel_id)
        session.expunge_all()
    if channel is None:
        return "skipped"
    if not channel.enabled and delivery.event_type != channel_service.TEST_EVENT:
        outcome = _Outcome(False, error=f"channel disabled: {channel.disabled_reason or 'by a user'}", permanent=True)
    else:
        outcome = _send(channel, delivery)
    now = utcnow()
    gone = outcome.status_code == 410
    if outcome.ok:
        status, next_at = "succeeded", None
    elif outcome.permanent or gone or now - delivery.created_at >= GIVE_UP_AFTER:
        status, next_at = "failed", None
    else:
        next_at = now + timedelta(seconds=next_delay_s(delivery.attempts, outcome.retry_after_s))
        status = "retrying" if next_at - delivery.created_at <= GIVE_UP_AFTER else "failed"
        next_at = next_at if status == "retrying" else None
    with session_scope() as session:
        session.add(NotificationAttempt(delivery_id=delivery_id, attempt=delivery.attempts,
                                        status_code=outcome.status_code, response_ms=outcome.elapsed_ms,
                                        response_excerpt=(outcome.excerpt or None) and outcome.excerpt[:1000],
                                        error=outcome.error))
        session.execute(sa.update(NotificationDelivery).where(col(NotificationDelivery.id) == delivery_id).values(
            status=status, next_attempt_at=next_at, last_status_code=outcome.status_code,
            last_error=outcome.error, delivered_at=now if outcome.ok else None, updated_at=now))
    if gone:
        channel_service.disable_channel(channel.id, "the receiver answered 410 Gone")
    if status == "retrying" and next_at is not None and next_at <= utcnow():
        enqueue([delivery_id])
    return status


# ---- the delivery log ---------------------------------------------------------------------
def list_deliveries(project_id: uuid.UUID, channel_id: uuid.UUID | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first, each with its attempts (oldest first)."""
    with session_scope() as session:
        query = select(NotificationDelivery).where(NotificationDelivery.project_id == project_id)
        if channel_id is not None:
            query = query.where(NotificationDelivery.channel_id == channel_id)
        rows = list(session.exec(query.order_by(col(NotificationDelivery.id).desc()).limit(limit)).all())
        ids = [r.id for r in rows]
        attempts: dict[uuid.UUID, list[NotificationAttempt]] = {}
        if ids:
            for a in session.exec(select(NotificationAttempt).where(col(NotificationAttempt.delivery_id).in_(ids))
                                  .order_by(col(NotificationAttempt.created_at))).all():
                attempts.setdefault(a.delivery_id, []).append(a)
        names = {c.id: c.name for c in session.exec(select(NotificationChannel).where(
            NotificationChannel.project_id == project_id)).all()}
        return [{
            "id": str(r.id), "channel_id": str(r.channel_id), "channel": names.get(r.channel_id, "?"),
            "event_id": r.event_id, "event_type": r.event_type, "status": r.status, "attempts": r.attempts,
            "last_status_code": r.last_status_code, "last_error": r.last_error,
            "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at else None,
            "created_at": r.created_at.isoformat(),
            "log": [{"attempt": a.attempt, "status_code": a.status_code, "response_ms": a.response_ms,
                     "response_excerpt": a.response_excerpt, "error": a.error, "at": a.created_at.isoformat()}
                    for a in attempts.get(r.id, [])],
        } for r in rows]


def send_test_event(project_id: uuid.UUID, channel_id: uuid.UUID, project_name: str = "",
                    url: str | None = None) -> uuid.UUID:
    """Queue a `notification.test` event to one channel (rules ignored)."""
    channel_service.get_channel(project_id, channel_id)
    data: dict[str, Any] = {"project_id": str(project_id), "project_name": project_name,
                            "message": "This is a test notification from TraceIQ."}
    if url:
        data["url"] = url
    created = publish(project_id, channel_service.TEST_EVENT, data, only_channel_id=channel_id)
    return created[0]
