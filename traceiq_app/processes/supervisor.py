"""Embedded-mode process supervisor: a redis-server child and TRACEIQ_WORKERS RQ workers.

It runs as its own process (`python -m traceiq_app.processes.supervisor --parent-pid P`) so that the
web server's event loop never babysits children, and so that exactly one runs per data folder
no matter how many web worker processes start it: it holds an exclusive `flock` on
`data/run/supervisor.lock`, and a second copy exits at once.

Children never outlive it: each gets PR_SET_PDEATHSIG, and on SIGTERM/SIGINT (or when its
parent process disappears) it stops workers first (warm shutdown, then SIGKILL after a
grace period) and Redis last, so in-flight jobs can still report their results.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import redis

from traceiq_app.settings import Settings, get_settings

log = logging.getLogger("traceiq.supervisor")

POLL_SECONDS = 0.25
WORKER_STOP_GRACE_SECONDS = 10.0
WORKER_HAND_BACK_SECONDS = 5.0
REDIS_START_TIMEOUT_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn: the kernel sends SIGTERM to the child when its parent dies, even by SIGKILL.

    Linux ties this to the *thread* that started the child: call Popen from a long-lived thread.
    """
    with contextlib.suppress(OSError):  # not Linux: the parent-watch loop still stops children
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the child
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        log.info("started %s (pid %s)", self.name, self.process.pid)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive:
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)

    def wait(self, timeout: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def close_log(self) -> None:
        if self._log_file:
            self._log_file.close()
            self._log_file = None


class Supervisor:
    def __init__(self, settings: Settings, parent_pid: int | None = None) -> None:
        self.settings = settings
        self.parent_pid = parent_pid
        self.run_dir = (settings.data_dir / "run").resolve()
        self.log_dir = (settings.data_dir / "logs").resolve()
        self.redis: Child | None = None
        self.workers: list[Child] = []
        self._stopping = False

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> int:
        lock = self._acquire_lock()
        if lock is None:
            log.info("another supervisor already runs for %s; exiting", self.run_dir)
            return 0
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            if self.settings.uses_embedded_redis:
                self._start_redis()
            self._start_workers()
            (self.run_dir / "supervisor.pid").write_text(str(os.getpid()))
            self._watch()
        finally:
            self.stop()
            lock.close()
        return 0

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("received signal %s, stopping", signum)
        self._stopping = True

    def _acquire_lock(self) -> IO[str] | None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.run_dir / "supervisor.lock", "w")  # noqa: SIM115 - held for life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def _parent_gone(self) -> bool:
        if self.parent_pid is None:
            return False
        # Re-parenting to init (or a subreaper) means the process that started us is gone.
        if os.getppid() != self.parent_pid:
            return True
        try:
            os.kill(self.parent_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False

    def _watch(self) -> None:
        while not self._stopping:
            if self._parent_gone():
                log.info("parent %s is gone, stopping", self.parent_pid)
                break
            if self.redis is not None and not self.redis.alive:
                log.warning("redis-server exited (code %s), restarting", self._code(self.redis))
                self.redis.close_log()
                self._start_redis()
            for worker in self.workers:
                if not worker.alive and not self._stopping:
                    log.warning("%s exited (code %s), restarting", worker.name, self._code(worker))
                    worker.close_log()
                    worker.restarts += 1
                    worker.start()
            time.sleep(POLL_SECONDS)

    @staticmethod
    def _code(child: Child) -> int | None:
        return child.process.returncode if child.process else None

    def stop(self) -> None:
        self._stopping = True
        for worker in self.workers:
            worker.signal(signal.SIGTERM)  # RQ: warm shutdown, finish the current job
        deadline = time.monotonic() + WORKER_STOP_GRACE_SECONDS
        for worker in self.workers:
            if not worker.wait(max(0.0, deadline - time.monotonic())):
                # A second SIGTERM makes a TraceIQ worker hand its running test back to the queue.
                log.warning("%s did not stop in time, asking it to hand its test back", worker.name)
                worker.signal(signal.SIGTERM)
                if not worker.wait(WORKER_HAND_BACK_SECONDS):
                    log.warning("%s still running, killing it", worker.name)
                    worker.signal(signal.SIGKILL)
                    worker.wait(5)
            worker.close_log()
        if self.redis is not None:
            self.redis.signal(signal.SIGTERM)  # redis saves its AOF/RDB on SIGTERM
            if not self.redis.wait(15):
                self.redis.signal(signal.SIGKILL)
                self.redis.wait(5)
            self.redis.close_log()
        (self.run_dir / "supervisor.pid").unlink(missing_ok=True)

    # --- children -------------------------------------------------------------------------
    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["REDIS_URL"] = self.settings.redis_url_effective
        env["TRACEIQ_DATA_DIR"] = str(self.settings.data_dir.resolve())
        return env

    def _start_redis(self) -> None:
        redis_dir = self.settings.embedded_redis_socket.parent
        redis_dir.mkdir(parents=True, exist_ok=True)
        socket_path = self.settings.embedded_redis_socket
        socket_path.unlink(missing_ok=True)
        argv = [
            self.settings.redis_server_bin,
            "--port", "0",  # no TCP at all: 6379 may belong to someone else
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(redis_dir),
            "--appendonly", "yes",  # persistence on: queued runs survive a restart
            "--appendfsync", "everysec",
            "--save", "300 1",
            "--daemonize", "no",
            "--loglevel", "warning",
        ]
        self.redis = Child("redis-server", argv, dict(os.environ), self.log_dir / "redis.log")
        self.redis.start()
        wait_for_redis(self.settings.redis_url_effective, REDIS_START_TIMEOUT_SECONDS)

    def _start_workers(self) -> None:
        env = self._child_env()
        for n in range(self.settings.workers):
            argv = [sys.executable, "-m", "traceiq_app.cli", "worker", "--name-suffix", f"embedded-{n}"]
            worker = Child(f"worker-{n}", argv, env, self.log_dir / f"worker-{n}.log")
            worker.start()
            self.workers.append(worker)


def wait_for_redis(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
            return
        except (redis.RedisError, OSError) as exc:
            last_error = exc
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not come up within {timeout:.0f}s: {last_error}")


def needs_supervisor(settings: Settings) -> bool:
    return settings.uses_embedded_redis or settings.workers > 0


def spawn(settings: Settings) -> subprocess.Popen[bytes]:
    """Start the supervisor process for this (web) process. Safe to call from every web worker."""
    log_dir = (settings.data_dir / "logs").resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "supervisor.log", "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "traceiq_app.processes.supervisor", "--parent-pid", str(os.getpid())],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Own session: a terminal's Ctrl-C reaches the web server, which stops us in order
            # (workers first, Redis last) instead of every child dying at once.
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="TraceIQ embedded-mode supervisor")
    parser.add_argument("--parent-pid", type=int, default=None)
    args = parser.parse_args(argv)
    from traceiq_app.services.observability import logs

    logs.configure("supervisor")
    return Supervisor(get_settings(), parent_pid=args.parent_pid).run()


if __name__ == "__main__":
    sys.exit(main())
