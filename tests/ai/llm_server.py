"""A tiny OpenAI-compatible chat completions server on loopback, with scripted answers.

    with LocalLLM([Reply.chat('{"steps": []}'), Reply.status(429, retry_after="0"), Reply.sleep(2)]) as llm:
        llm.url  # base URL ("http://127.0.0.1:PORT/v1"); llm.requests: every request (body, headers)

Each request takes the next scripted reply (the last one repeats)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message (a chat completion)
    body: str | None = None  # a raw body instead
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    @classmethod
    def chat(cls, content: str | dict[str, Any]) -> Reply:
        return cls(content=content if isinstance(content, str) else json.dumps(content))

    @classmethod
    def error(cls, status: int, retry_after: str | None = None) -> Reply:
        return cls(status=status, body=json.dumps({"error": {"message": f"scripted {status}"}}),
                   headers={"Retry-After": retry_after} if retry_after is not None else {})

    @classmethod
    def sleep(cls, seconds: float) -> Reply:
        return cls(delay_s=seconds, content='{"summary": "too late"}')


class LocalLLM:
    def __init__(self, script: list[Reply]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with owner.lock:
                    owner.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                    reply = owner.script.pop(0) if len(owner.script) > 1 else owner.script[0]
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if self.path != "/v1/chat/completions":
                    reply = Reply.error(404)
                payload = reply.body if reply.body is not None else json.dumps({
                    "id": "chatcmpl-local", "object": "chat.completion", "model": body.get("model"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": reply.content}}]})
                data = payload.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> LocalLLM:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
