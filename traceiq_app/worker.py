"""`traceiq worker`: an RQ worker on TraceIQ's queues. Jobs live in the top-level `jobs` package."""

from __future__ import annotations

import logging
import os
import socket
import uuid

from rq import Queue, Worker

from traceiq_app.redis_conn import QUEUE_NAMES, get_redis

log = logging.getLogger("traceiq.worker")


def worker_name(suffix: str | None = None) -> str:
    base = f"{socket.gethostname()}.{os.getpid()}"
    return f"{base}.{suffix}" if suffix else f"{base}.{uuid.uuid4().hex[:6]}"


def run_worker(burst: bool = False, name_suffix: str | None = None) -> int:
    connection = get_redis()
    queues = [Queue(name, connection=connection) for name in QUEUE_NAMES]
    worker = Worker(queues, connection=connection, name=worker_name(name_suffix))
    # The scheduler is needed for RQ's Retry intervals and enqueue_in; RQ elects one per queue.
    ok = worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    return 0 if ok or not burst else 0
