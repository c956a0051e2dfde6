"""The bell in the navbar: the signed-in user's own in-app notifications (unread count, the
latest ten, mark all read). Handlers read only the caller's own rows (`guard.signed_in`)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.notifications import inbox
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class BellState(ProtectedState):
    unread: int = 0
    items: rx.Field[list[dict[str, str]]] = rx.field([])

    @rx.event
    def load_bell(self) -> None:
        try:
            principal = guard.signed_in(self)
        except guard.DENIED:
            self.unread, self.items = 0, []
            return
        self.unread = inbox.unread_count(principal.user_id)
        self.items = inbox.recent(principal.user_id)

    @rx.event
    def mark_all_read(self) -> Any:
        try:
            principal = guard.signed_in(self)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        inbox.mark_all_read(principal.user_id)
        self.unread = 0
        self.items = inbox.recent(principal.user_id)
        return None
