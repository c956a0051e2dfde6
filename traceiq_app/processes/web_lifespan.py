"""What the web server does at start and stop (a Reflex lifespan task).

Lifespan tasks run once per web worker process, so both steps here are safe to run N times:
migrations take a file lock, and the supervisor holds its own lock (one per data folder).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from traceiq_app.processes import supervisor
from traceiq_app.services.observability import logs, metrics
from traceiq_app.settings import Settings, check_production_safety, get_settings

log = logging.getLogger("traceiq.lifecycle")


def apply_migrations_once(settings: Settings) -> None:
    from traceiq_app.services.platform.migrations import upgrade_to_head

    run_dir = settings.data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other web workers wait, then find nothing to do
        upgrade_to_head(settings.database_url_effective)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@asynccontextmanager
async def embedded_services() -> AsyncIterator[None]:
    settings = get_settings()
    logs.configure("web")
    check_production_safety(settings)
    # Once per server start (web workers share the parent): a fresh metrics folder that the
    # supervisor and its workers inherit through PROMETHEUS_MULTIPROC_DIR.
    await asyncio.to_thread(metrics.reset, f"{os.getppid()}")
    await asyncio.to_thread(apply_migrations_once, settings)
    process = supervisor.spawn(settings) if supervisor.needs_supervisor(settings) else None
    try:
        yield
    finally:
        if process is not None:
            await asyncio.to_thread(_stop, process)
