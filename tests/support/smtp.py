"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, with the app's SMTP
settings pointed at it: the mail peer of the tests that send e-mail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.support.processes import free_port
from traceiq_app.settings import reset_settings_cache


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_inbox(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[Inbox]:
    """Start the server, point TRACEIQ_SMTP_* at it (plus any extra settings in `env`), yield
    its inbox; stop it afterwards."""
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {"TRACEIQ_SMTP_HOST": "127.0.0.1", "TRACEIQ_SMTP_PORT": str(port), "TRACEIQ_SMTP_STARTTLS": "false",
                **env}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    try:
        yield box
    finally:
        controller.stop()
