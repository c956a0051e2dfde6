"""The running test's heartbeat and stop switch (a thread beside the test).

Stopping a test (cancel, run timeout, RQ stop-job): the watcher polls the run's stop key. When
it is set, the reporter refuses to start the next step (`TestStopped`), and the watcher closes
the browser contexts through Playwright's event loop (the engine's thread-safe `abort`), which
aborts a step in flight within milliseconds. The worker itself keeps running."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from typing import Any

import redis

from traceiq_app.redis_conn import get_redis
from traceiq_app.services.runs import orchestration
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)


class TestStopped(Exception):
    """Raised by the reporter before a step when the run was told to stop."""

    __test__ = False


class Watcher(threading.Thread):
    """Heartbeat of the running test, and the stop switch."""

    def __init__(self, run_id: uuid.UUID, test_result_id: uuid.UUID, worker_name: str) -> None:
        super().__init__(name=f"watch-{test_result_id}", daemon=True)
        settings = get_settings()
        self.run_id = run_id
        self.test_result_id = test_result_id
        self.worker_name = worker_name
        self.beat_every = settings.heartbeat_seconds
        # Generous TTL: a starved thread on a busy machine must not look like a dead worker.
        self.beat_ttl = max(int(settings.heartbeat_seconds * 3), 5)
        self.poll = min(0.2, settings.heartbeat_seconds / 10)
        self.engine: Any = None  # the Engine running the test (its abort() is thread-safe)
        self.reason: str | None = None
        self._stop_event = threading.Event()
        self._done = threading.Event()
        self._client: redis.Redis = get_redis()

    def beat(self) -> None:
        try:
            with self._client.pipeline(transaction=False) as pipe:
                pipe.set(orchestration.heartbeat_key(self.test_result_id), self.worker_name, ex=self.beat_ttl)
                pipe.set(orchestration.last_beat_key(self.test_result_id), repr(time.time()),
                         ex=orchestration.LAST_BEAT_TTL_S)
                pipe.execute()
        except (redis.RedisError, OSError) as exc:
            log.debug("heartbeat failed: %s", exc)

    def run(self) -> None:
        next_beat = 0.0
        while not self._done.is_set():
            now = time.monotonic()
            if now >= next_beat:
                self.beat()
                next_beat = now + self.beat_every
            if self.reason is None:
                try:
                    reason = orchestration.stop_reason(self.run_id, self._client)
                except (redis.RedisError, OSError):
                    reason = None
                if reason:
                    self.stop(reason)
            self._done.wait(self.poll)

    @property
    def stopped(self) -> bool:
        return self._stop_event.is_set()

    def stop(self, reason: str) -> None:
        if self._stop_event.is_set():
            return
        self.reason = reason
        self._stop_event.set()
        self._abort_in_flight()

    def _abort_in_flight(self) -> None:
        """Abort the step in flight (the engine closes the test's context from Playwright's own
        loop): it fails at once with "cancelled: <reason>", and the reporter stops the test.
        An abort that lands before the run started is caught by `step_started` instead."""
        if self.engine is not None:
            self.engine.abort(self.reason or "stopped")

    def finish(self) -> None:
        self._done.set()
        self.join(timeout=2)
        with contextlib.suppress(redis.RedisError, OSError):
            self._client.delete(orchestration.heartbeat_key(self.test_result_id),
                                orchestration.last_beat_key(self.test_result_id))


_current: Watcher | None = None


def set_current(watcher: Watcher | None) -> None:
    """The watcher of the test this process runs now (None between tests)."""
    global _current
    _current = watcher


def request_stop_current(reason: str = "stopped") -> bool:
    """Stop the test this process is running (RQ's stop-job command lands here)."""
    watcher = _current
    if watcher is None:
        return False
    watcher.stop(reason)
    return True
