"""Request-body limits and the upload gate: a pure ASGI middleware on the outermost app (the
FastAPI app of `create_api()`), so it covers the /api routes AND everything Reflex serves.

* Every HTTP request body is capped (`TRACEIQ_MAX_BODY_KB`; `POST /_upload` gets
  `TRACEIQ_MAX_UPLOAD_MB`): a `Content-Length` over the limit is refused before the body is
  read, and a chunked body is counted while it streams and cut off at the limit. Both answer
  413 `{"error": {"code": "payload_too_large", "message": ..., "details": {"limit_bytes": N}}}`.
* `POST /_upload` (Reflex's upload endpoint) is refused BEFORE its body is read unless the
  request carries a valid signed-in session cookie (401) and names an event handler that takes
  uploads (400 otherwise; Reflex itself would answer a non-upload handler with a 500).
* The websocket (`/_event`) is untouched: socket.io caps its own messages (1 MB).

Error bodies never repeat what was submitted: a code, a fixed message and the limit.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from traceiq_app.settings import get_settings

log = logging.getLogger("traceiq.request_limits")

UPLOAD_PATH = "/_upload"
EVENT_PATH = "/_event"


# POSTs that carry files (reports with attachments, imports, tests-as-code pushes): TRACEIQ_MAX_UPLOAD_MB.
API_UPLOAD_PATHS = re.compile(r"^/api/v1/projects/[^/]+/(results|import|tree)$"
                              r"|^/api/manual/(step-results|tests)/[^/]+/attachments$")

class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes its limit (the app stops reading)."""


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": details or {}}}).encode()


async def send_error(send: Send, status: int, code: str, message: str,
                     details: dict[str, Any] | None = None, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = error_body(code, message, details)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close"), *(headers or []),
    ]})
    await send({"type": "http.response.body", "body": body})


def too_large(limit: int) -> tuple[int, str, str, dict[str, Any]]:
    return 413, "payload_too_large", f"the request body is larger than the limit of {limit} bytes", \
        {"limit_bytes": limit}


def body_limit() -> int:
    return get_settings().max_body_kb * 1024


def upload_limit() -> int:
    return get_settings().max_upload_mb * 1024 * 1024


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def is_upload_handler(name: str) -> bool:
    """Does `name` (`<state path>.<handler>`) name a Reflex event handler that takes files?"""
    import reflex as rx
    from reflex_base.event import resolve_upload_handler_param

    path, _, handler_name = name.rpartition(".")
    if not path or not handler_name:
        return False
    try:
        state_cls = rx.State.get_class_substate(path)
    except Exception:  # noqa: BLE001 - any unknown path is simply not an upload handler
        return False
    handler = state_cls.event_handlers.get(handler_name)
    if handler is None:
        return False
    try:
        resolve_upload_handler_param(handler)
    except Exception:  # noqa: BLE001 - UploadValueError / UploadTypeError: not a file handler
        return False
    return True


def _signed_in(scope: Scope) -> bool:
    from traceiq_app.services.accounts import web_sessions
    from traceiq_app.state.accounts.auth import session_cookie_from_header

    cookie = session_cookie_from_header(_header(scope, b"cookie"))
    if not cookie:
        return False
    client = scope.get("client")
    return web_sessions.resolve(cookie, ip=client[0] if client else None) is not None


async def upload_refusal(scope: Scope) -> tuple[int, str, str] | None:
    """Why this upload is refused (status, code, message), or None to let it through."""
    if not await run_in_threadpool(_signed_in, scope):
        return 401, "unauthorized", "sign in to upload files"
    handler = _header(scope, b"reflex-event-handler") or ""
    if not handler or not _header(scope, b"reflex-client-token"):
        return 400, "bad_request", "an upload needs the reflex-client-token and reflex-event-handler headers"
    if len(handler) > 500 or not await run_in_threadpool(is_upload_handler, handler):
        return 400, "not_an_upload_handler", "the reflex-event-handler header does not name a handler that takes files"
    return None


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(EVENT_PATH):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "").rstrip("/")
        is_upload = path == UPLOAD_PATH and scope.get("method") == "POST"
        # File routes of the API authenticate themselves (tokens): only their size limit differs.
        is_api_upload = scope.get("method") == "POST" and API_UPLOAD_PATHS.match(path) is not None
        limit = upload_limit() if is_upload or is_api_upload else body_limit()

        if is_upload:  # who is sending comes first: anonymous senders learn nothing, not even the limit
            refusal = await upload_refusal(scope)
            if refusal is not None:
                await send_error(send, *refusal)
                return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await send_error(send, 400, "bad_request", "the Content-Length header is not a number")
                return
            if int(declared) > limit:
                await send_error(send, *too_large(limit))
                return

        received = 0
        exceeded = False
        started = False  # has the app started its response (before the limit was passed)?
        replied = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own reaction to the cut-off body (often a 500) is replaced by our 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def reply_too_large() -> None:
            nonlocal replied
            if not started and not replied:
                replied = True
                await send_error(send, *too_large(limit))

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            await reply_too_large()
            return
        except Exception:
            if exceeded:
                log.info("request body over the limit of %s bytes on %s", limit, path)
                await reply_too_large()
                return
            raise
        if exceeded:
            await reply_too_large()
