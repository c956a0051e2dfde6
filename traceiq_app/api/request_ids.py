"""Request ids: every HTTP request gets one (the caller's `X-Request-ID` when it is a sane token,
otherwise a new one), every log line written while serving it carries it, and the response
returns it in `X-Request-ID` so a user's report can be matched to the server's logs."""

from __future__ import annotations

import re
import uuid
from typing import Any

from traceiq_app.services.observability import logs

_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"x-request-id":
            text = value.decode("latin-1").strip()
            if _SANE.match(text):
                return text
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers") or [])
        logs.clear()
        logs.bind(request_id=request_id)

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*(h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"),
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.clear()
