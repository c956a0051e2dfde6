"""Attack helpers over real sockets: the /api app served by uvicorn in its own process, and raw
HTTP requests that announce or stream huge bodies without ever building them in memory."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tests.support.processes import free_port, wait_until


class ApiProcess:
    """`uvicorn traceiq_app.api.app:create_api` (the same middleware as the app) on a free port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "traceiq_app.api.app:create_api", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        wait_until(self._up, 60, what="the API server")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _up(self) -> bool:
        if self.process.poll() is not None:
            out = self.process.stdout.read().decode() if self.process.stdout else ""
            raise RuntimeError(f"API server exited:\n{out}")
        try:
            httpx.get(self.url + "/api/health/live", timeout=0.5)
            return True
        except httpx.HTTPError:
            return False

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):  # peak resident size
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self) -> str:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=15)
        return out.decode(errors="replace")


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    sent_bytes: int  # body bytes the client managed to send before the answer came
    seconds: float

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.body)  # type: ignore[no-any-return]


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0") or 0)
    sock.settimeout(10)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def send_huge(url: str, path: str, *, total_bytes: int, chunked: bool, headers: dict[str, str] | None = None,
              chunk_bytes: int = 256 * 1024, timeout: float = 120, prefix: bytes = b"") -> RawResponse:
    """POST `total_bytes` of body (declared in Content-Length, or chunked) and stop sending as
    soon as the server answers or closes; the body is `prefix` and then a repeated block, never
    held whole."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.create_connection((host, port), timeout=timeout)
    started = time.monotonic()
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total_bytes}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    block = b"a" * chunk_bytes
    sent = 0
    sock.setblocking(False)
    try:
        while sent < total_bytes and time.monotonic() - started < timeout:
            try:
                if sock.recv(1, socket.MSG_PEEK):  # the server answered: stop sending
                    break
            except BlockingIOError:
                pass
            data = prefix if sent == 0 and prefix else block[:min(chunk_bytes, total_bytes - sent)]
            size = len(data)
            payload = (f"{size:x}\r\n".encode() + data + b"\r\n") if chunked else data
            try:
                sock.setblocking(True)
                sock.settimeout(5)
                sock.sendall(payload)
                sent += size
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            finally:
                sock.setblocking(False)
        else:
            if chunked and sent >= total_bytes:
                sock.setblocking(True)
                sock.sendall(b"0\r\n\r\n")
        sock.setblocking(True)
        sock.settimeout(timeout)
        status, response_headers, body = _read_response(sock)
    finally:
        sock.close()
    return RawResponse(status, response_headers, body, sent, time.monotonic() - started)
