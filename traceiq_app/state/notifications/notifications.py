"""Notifications page (/projects/<id>/notifications): channels, rules, "send test event" and the
delivery log with Redeliver.

Every public method is an event handler any client can call: each authorizes on the server
(`notification.read` to see, `notification.write` to change, test-send or redeliver) through
`state.guard`. A new webhook's signing secret is held in `new_secret` only until dismissed; it
is never read back from the database (the service returns it once, at creation/rotation).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.notifications import channels, deliveries, inbox
from traceiq_app.services.notifications import views as notification_views
from traceiq_app.services.runs import schedule_views
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class NotificationsState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    channel_rows: rx.Field[list[dict[str, str]]] = rx.field([])
    rule_rows: rx.Field[list[dict[str, str]]] = rx.field([])
    log_rows: rx.Field[list[dict[str, str]]] = rx.field([])
    can_write: bool = False
    loaded: bool = False
    error: str = ""
    channel_errors: rx.Field[dict[str, str]] = rx.field({})
    rule_errors: rx.Field[dict[str, str]] = rx.field({})
    new_secret: str = ""
    new_kind: str = "webhook"
    my_events: rx.Field[list[str]] = rx.field([])  # this user's in-app (bell) events here
    suites: rx.Field[list[dict[str, str]]] = rx.field([])
    environments: rx.Field[list[dict[str, str]]] = rx.field([])

    # ---- helpers (not callable from clients) ----------------------------------------------
    def _reload(self) -> None:
        principal, pid = guard.require(self, "notification.read", self.pid)
        self.project_name = projects.get_project(pid).name
        self.can_write = guard.can(principal, "notification.write", pid)
        self.channel_rows = notification_views.channel_rows(pid)
        self.rule_rows = notification_views.rule_rows(pid)
        self.log_rows = notification_views.log_rows(pid)
        self.my_events = inbox.preferences(principal.user_id, pid)
        self.suites, self.environments = schedule_views.choices(pid)
        self.loaded = True

    def _write(self, change: Any, success: str) -> Any:
        try:
            principal, pid = guard.require(self, "notification.write", self.pid)
            change(principal, pid)
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except (channels.ChannelError, channels.NotFound) as exc:
            return rx.toast.error(str(exc))
        return rx.toast.success(success)

    # ---- events ----------------------------------------------------------------------------
    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.new_secret = "", ""
        try:
            self._reload()
        except guard.DENIED as exc:
            self.error, self.loaded = guard.error_message(exc), True
            self.channel_rows, self.rule_rows, self.log_rows = [], [], []

    @rx.event
    def refresh_log(self) -> Any:
        try:
            _principal, pid = guard.require(self, "notification.read", self.pid)
            self.log_rows = notification_views.log_rows(pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def choose_kind(self, kind: str) -> None:
        """Which fields the new-channel form shows (this tab only)."""
        self.new_kind = kind if kind in channels.KINDS else "webhook"
        self.channel_errors = {}

    @rx.event
    def create_channel(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "notification.write", self.pid)
            created = notification_views.create_channel(
                principal, pid, self.new_kind, str(form_data.get("name") or ""),
                url=str(form_data.get("url") or ""), emails=str(form_data.get("emails") or ""))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except channels.ChannelError as exc:
            self.channel_errors = {exc.field: exc.message}
            return rx.toast.error(str(exc))
        self.channel_errors = {}
        self.new_secret = created.secret or ""
        self._reload()
        # Emptied only on success: a refused form keeps what was typed.
        return [rx.toast.success(f"Channel '{created.channel.name}' created"), rx.set_value("channel-name", ""),
                rx.set_value("channel-url", ""), rx.set_value("channel-emails", "")]

    @rx.event
    def dismiss_secret(self) -> None:
        """Forget the shown secret (this tab's own var)."""
        self.new_secret = ""

    @rx.event
    def rotate_secret(self, channel_id: str) -> Any:
        try:
            _principal, pid = guard.require(self, "notification.write", self.pid)
            self.new_secret = channels.rotate_secret(pid, guard.as_uuid(channel_id, "channel"))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except (channels.ChannelError, channels.NotFound) as exc:
            return rx.toast.error(str(exc))
        return rx.toast.success("New secret created; the old one keeps signing until the next rotation")

    @rx.event
    def toggle_channel(self, channel_id: str, enabled: bool) -> Any:
        return self._write(lambda principal, pid: channels.update_channel(
            pid, guard.as_uuid(channel_id, "channel"), enabled=enabled),
            "Channel enabled" if enabled else "Channel disabled")

    @rx.event
    def delete_channel(self, channel_id: str) -> Any:
        return self._write(lambda principal, pid: notification_views.delete_channel(
            principal, pid, guard.as_uuid(channel_id, "channel")), "Channel deleted")

    @rx.event
    def send_test(self, channel_id: str) -> Any:
        result = self._write(lambda principal, pid: deliveries.send_test_event(
            pid, guard.as_uuid(channel_id, "channel"), self.project_name,
            notification_views.project_url(pid)), "Test event queued; watch the delivery log")
        return result

    @rx.event
    def create_rule(self, form_data: dict[str, Any]) -> Any:
        events = [e for e in channels.EVENT_TYPES if form_data.get(f"event:{e}")]
        filters = {key: str(form_data.get(key) or "")
                   for key in ("branches", "tags", "triggers", "suite_ids", "environment_ids")}
        if not str(form_data.get("channel_id") or "").strip():
            self.rule_errors = {"channel_id": "choose a channel"}
            return rx.toast.error("channel_id: choose a channel")
        try:
            _principal, pid = guard.require(self, "notification.write", self.pid)
            channels.create_rule(pid, guard.as_uuid(str(form_data.get("channel_id") or ""), "channel"), events,
                                 filters={k: v for k, v in filters.items() if v.strip()},
                                 only_on_change=bool(form_data.get("only_on_change")))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except channels.ChannelError as exc:
            self.rule_errors = {exc.field: exc.message}
            return rx.toast.error(str(exc))
        except channels.NotFound:
            self.rule_errors = {"channel_id": "choose a channel"}
            return rx.toast.error("choose a channel")
        self.rule_errors = {}
        self._reload()
        return rx.toast.success("Rule created")

    @rx.event
    def toggle_rule(self, rule_id: str, enabled: bool) -> Any:
        return self._write(lambda principal, pid: channels.update_rule(
            pid, guard.as_uuid(rule_id, "rule"), enabled=enabled), "Rule enabled" if enabled else "Rule paused")

    @rx.event
    def delete_rule(self, rule_id: str) -> Any:
        return self._write(lambda principal, pid: channels.delete_rule(pid, guard.as_uuid(rule_id, "rule")),
                           "Rule deleted")

    @rx.event
    def redeliver(self, delivery_id: str) -> Any:
        return self._write(lambda principal, pid: deliveries.redeliver(pid, guard.as_uuid(delivery_id, "delivery")),
                           "Queued for redelivery")

    @rx.event
    def toggle_my_event(self, event_type: str, on: bool) -> Any:
        """The caller's own in-app choice for this project (any member may set their own)."""
        try:
            principal, pid = guard.require(self, "notification.read", self.pid)
            current = set(inbox.preferences(principal.user_id, pid))
            current = current | {event_type} if on else current - {event_type}
            self.my_events = inbox.set_preferences(principal.user_id, pid, sorted(current))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except channels.ChannelError as exc:
            return rx.toast.error(str(exc))
        return None
