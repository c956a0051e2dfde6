"""Permission-matrix entries for the Notifications page, in the format of
tests/accounts/permission_matrix.py (merged there). Channels, rules and deliveries are made in
Acme's project just before the call; changes to channels are audited, so the Acme fingerprint
(which includes the audit log) shows any change a refused call made. "Send test event" and
"Redeliver" go through the matrix's real redis-server: the notify queue holds a job exactly when
the call was allowed."""

from __future__ import annotations

import uuid
from typing import Any

from tests.accounts.permission_matrix import (
    _PUBLIC_SETVAR,
    ADMINS,
    EVERYONE,
    MEMBERS,
    SIGNED_IN,
    H,
    MatrixContext,
)
from tests.runs.runs_matrix import _on_project, _real_queue


def _channel(ctx: MatrixContext) -> str:
    from traceiq_app.services.notifications import channels

    return str(channels.create_channel(ctx.project_id, "webhook", "Matrix hook", url="https://hooks.example/x").channel.id)


def _rule(ctx: MatrixContext) -> str:
    from traceiq_app.services.notifications import channels

    return str(channels.create_rule(ctx.project_id, uuid.UUID(_channel(ctx)), ["run.failed"]).id)


def _delivery(ctx: MatrixContext) -> str:
    import sqlalchemy as sa

    from traceiq_app.db import session_scope
    from traceiq_app.models import NotificationDelivery
    from traceiq_app.services.notifications import publish

    channel_id = uuid.UUID(_channel(ctx))
    [delivery_id] = publish(ctx.project_id, "notification.test", {}, only_channel_id=channel_id)
    with session_scope() as s:  # as if it had failed for good
        s.execute(sa.update(NotificationDelivery).where(NotificationDelivery.id == delivery_id).values(status="failed"))
    return str(delivery_id)


def _queued_iff_allowed(state: Any, ctx: MatrixContext, call: Any) -> Any:
    from rq import Queue

    from traceiq_app.redis_conn import NOTIFY_QUEUE
    from traceiq_app.services.platform.permissions import PermissionDenied

    _on_project(state, ctx)
    with _real_queue(ctx) as client:
        target = call(ctx)
        client.delete(f"rq:queue:{NOTIFY_QUEUE}")
        denied_before = PermissionDenied.__init__
        raised: list[Any] = []

        def spy(self: Any, *a: Any, **k: Any) -> None:
            raised.append(self)
            denied_before(self, *a, **k)

        PermissionDenied.__init__ = spy  # type: ignore[method-assign]
        try:
            result = state.send_test(target) if call is _channel else state.redeliver(target)
        finally:
            PermissionDenied.__init__ = denied_before  # type: ignore[method-assign]
        queued = len(Queue(NOTIFY_QUEUE, connection=client))
        assert queued == (0 if raised else 1), f"notify queue holds {queued} job(s); refused={bool(raised)}"
    return result


NOTIFICATION_HANDLERS: dict[str, H] = {
    "NotificationsState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "NotificationsState.refresh_log": H(MEMBERS, lambda s, c: _on_project(s, c).refresh_log()),
    "NotificationsState.create_channel": H(ADMINS, lambda s, c: _on_project(s, c).create_channel(
        {"name": "New hook", "url": "https://hooks.example/new"})),
    "NotificationsState.rotate_secret": H(ADMINS, lambda s, c: _on_project(s, c).rotate_secret(_channel(c))),
    "NotificationsState.toggle_channel": H(ADMINS, lambda s, c: _on_project(s, c).toggle_channel(_channel(c), False)),
    "NotificationsState.delete_channel": H(ADMINS, lambda s, c: _on_project(s, c).delete_channel(_channel(c))),
    "NotificationsState.send_test": H(ADMINS, lambda s, c: _queued_iff_allowed(s, c, _channel)),
    "NotificationsState.create_rule": H(ADMINS, lambda s, c: _on_project(s, c).create_rule(
        {"channel_id": _channel(c), "event:run.failed": "on"})),
    "NotificationsState.toggle_rule": H(ADMINS, lambda s, c: _on_project(s, c).toggle_rule(_rule(c), False)),
    "NotificationsState.delete_rule": H(ADMINS, lambda s, c: _on_project(s, c).delete_rule(_rule(c))),
    "NotificationsState.redeliver": H(ADMINS, lambda s, c: _queued_iff_allowed(s, c, _delivery)),
    "NotificationsState.choose_kind": H(EVERYONE, None, public=True, note="which fields this tab's form shows"),
    "NotificationsState.dismiss_secret": H(EVERYONE, None, public=True, note="clears this tab's own var"),
    "NotificationsState.toggle_my_event": H(MEMBERS, lambda s, c: _on_project(s, c).toggle_my_event("run.finished", True),
                                            note="the caller's own in-app choice"),
    "NotificationsState.setvar": _PUBLIC_SETVAR,
    # --- the navbar bell: the caller's own inbox only ----------------------------------------
    "BellState.load_bell": H(SIGNED_IN, lambda s, c: s.load_bell(), note="reads only the caller's own rows"),
    "BellState.mark_all_read": H(SIGNED_IN, lambda s, c: s.mark_all_read(), note="changes only the caller's own rows"),
    "BellState.setvar": _PUBLIC_SETVAR,
}
