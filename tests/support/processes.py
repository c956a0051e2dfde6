"""Real local peers for tests: a private redis-server, free ports, waiting helpers."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from traceiq_app.processes.supervisor import die_with_parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.05, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RedisServer:
    """A redis-server of the test's own on a unix socket: never collides with 6379 or xdist peers."""

    directory: Path
    process: subprocess.Popen[bytes] | None = None
    appendonly: bool = False  # persist like production Redis (AOF): data survives a restart

    @property
    def socket_path(self) -> Path:
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700",
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes" if self.appendonly else "no",
             "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,  # a killed test run leaves no redis-server behind
        )
        wait_until(self._pings, 10, what="redis-server to answer")
        return self

    def _pings(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping())
        except (redis.RedisError, OSError):
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def base_env(**overrides: str) -> dict[str, str]:
    """The environment for a TraceIQ child process: ours, minus settings that would leak in."""
    # PROMETHEUS_MULTIPROC_DIR: this process may have pointed itself at an earlier test's metrics
    # folder (services/observability/metrics.enable); a child finds its own from its data folder.
    leaks = ("DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACEIQ_", "S3_")) and k not in leaks}
    env.update(overrides)
    return env


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser hangs up mid-response when a test ends: not worth a traceback


@contextlib.contextmanager
def serve_directory(directory: Path, handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """A local fixture site: `directory` over HTTP on a free loopback port; yields its origin."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def moto_server(log_dir: Path) -> Iterator[str]:
    """A real S3-compatible server (moto_server from the venv) on a free loopback port; yields its
    endpoint URL. Its output goes to log_dir/moto.log; it dies with this process."""
    import sys

    import httpx

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with open(log_dir / "moto.log", "wb") as log:
        process = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p",
                                    str(port)], stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

        def up() -> bool:
            try:
                return httpx.get(endpoint, timeout=0.5).status_code < 500
            except httpx.HTTPError:
                return False

        try:
            wait_until(up, 30, what="moto_server")
            yield endpoint
        finally:
            process.terminate()
            process.wait(10)
