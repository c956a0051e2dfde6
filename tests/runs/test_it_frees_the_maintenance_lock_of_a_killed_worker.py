"""The maintenance pass runs one process at a time under a Redis lease. A pass longer than the
lease keeps the lock (its keeper renews it); a worker SIGKILLed in the middle of a pass frees it
within the lease, so the other workers' next pass (and the lost-worker reaper in it) is not held
up. Before the lease, a dead holder blocked every pass for 30 s: a lost attempt was retried late."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import redis

from tests.support.processes import wait_until
from traceiq_app.services.runs import reaper

LEASE_S = 3.0

HOLDER = f"""
import sys, time
import redis
from traceiq_app.services.runs import reaper

def endless_pass(**_kwargs):
    print("holding", flush=True)
    time.sleep(600)

reaper.maintenance_pass = endless_pass
reaper.run_locked_pass(redis.Redis.from_url(sys.argv[1]), lease_s={LEASE_S})
"""


def test_it_keeps_the_lock_through_a_long_pass_and_frees_it_when_the_holder_dies(redis_server, monkeypatch):
    client = redis.Redis.from_url(redis_server.url)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, redis_server.url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        passes: list[str] = []
        monkeypatch.setattr(reaper, "maintenance_pass", lambda **_kw: passes.append("ran") or reaper.PassReport())

        # Two leases long: the keeper renews, nobody else gets in.
        deadline = time.monotonic() + LEASE_S * 2
        while time.monotonic() < deadline:
            assert reaper.run_locked_pass(client, lease_s=LEASE_S) is None
            time.sleep(0.1)
        assert passes == [] and client.exists(reaper.LOCK_KEY)

        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        killed_at = time.monotonic()
        wait_until(lambda: reaper.run_locked_pass(client, lease_s=LEASE_S) is not None, LEASE_S + 10,
                   interval=0.05, what="a pass after the holder died")
        assert time.monotonic() - killed_at <= LEASE_S + 2, time.monotonic() - killed_at
        assert passes == ["ran"]
        assert not client.exists(reaper.LOCK_KEY)  # released after the pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
