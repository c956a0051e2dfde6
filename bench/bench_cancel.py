"""Bench cancelling: how soon a running test stops after a cancel (target < 2 s).

    .venv/bin/python bench/bench_cancel.py [--rounds 10]

Uses bench_runs' set-up (private redis-server, migrated SQLite, the local fixture site, one warm
`traceiq worker` process). Each round starts a one-test run whose second step waits 30 s, waits
for that step to start, then stops it, alternating two ways, side by side:

- **cancel_run**: what the UI and the API call (stop key + the worker's stop switch);
- **rq stop-job**: RQ's own `send_stop_job_command` (the baseline: RQ's pub/sub command).

From the wall time just before the call: when the call returned, when this process saw the
attempt final in the database (cancel_run ends it there itself), and when the worker was done with
the test (the RQ job's `ended_at`, written by the worker once the engine stopped and the job
returned). Prints p50/p95/max per way and measure, the ratio of the medians of "worker done",
and the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_runs import OUT, Bench, serve_site, wait  # noqa: E402

SLOW_STEPS: list[dict[str, Any]] = [
    {"action": "goto", "url": "/index.html"},
    {"action": "wait_for", "ms": 30_000, "timeout_ms": 65_000},
    {"action": "goto", "url": "/next.html"},
]


def _stats(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[min(len(values) - 1, round(0.95 * (len(values) - 1)))], 1),
            "max_ms": round(values[-1], 1)}


def one_round(project_id: Any, way: str) -> dict[str, float]:
    from rq.command import send_stop_job_command
    from rq.job import Job

    from traceiq_app.redis_conn import get_redis
    from traceiq_app.services.runs import live_events
    from traceiq_app.services.runs.control import cancel_run, run_results, start_run

    run = start_run(project_id, selection={"tags": ["slow"]})
    wait(lambda: any(e.type == live_events.STEP_STARTED and e.data["index"] == 1
                     for e in live_events.read_events(run.id)), 60, "the long step")
    time.sleep(0.3)
    job = Job.fetch(str(run_results(run.id)[0].rq_job_id), connection=get_redis())
    t0 = time.time()
    if way == "cancel_run":
        cancel_run(run.id)
    else:
        send_stop_job_command(get_redis(), job.id)
    returned_ms = (time.time() - t0) * 1000
    wait(lambda: any(r.status.is_final for r in run_results(run.id)), 60, "the attempt to end", interval=0.01)
    final_ms = (time.time() - t0) * 1000

    def job_ended() -> bool:
        job.refresh()
        return job.ended_at is not None

    wait(job_ended, 60, "the worker to finish the job", interval=0.01)
    assert job.ended_at is not None
    ended = job.ended_at if job.ended_at.tzinfo else job.ended_at.replace(tzinfo=UTC)
    if way != "cancel_run":
        cancel_run(run.id)  # close the run (its only test already ended)
    return {"returned": returned_ms, "final": final_ms, "worker_done": (ended.timestamp() - t0) * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds per way")
    args = parser.parse_args(argv)

    site, site_url = serve_site()
    root = Path(tempfile.mkdtemp(prefix="tiqbench-cancel-"))
    bench = Bench(root, site_url, 1, "off", site_url)
    ways = ("cancel_run", "rq stop-job")
    measures = ("returned", "final", "worker_done")
    samples: dict[str, dict[str, list[float]]] = {w: {m: [] for m in measures} for w in ways}
    load_start = os.getloadavg()
    try:
        bench.start()
        from traceiq_app.db import session_scope
        from traceiq_app.models import TestCase

        with session_scope() as s:
            s.add(TestCase(project_id=bench.project_id, name="slow", steps=list(SLOW_STEPS), tags=["slow"]))
        bench.start_workers(1, warm=True)
        for _ in range(args.rounds):
            for way in ways:  # alternated, so load changes hit both alike
                for measure, value in one_round(bench.project_id, way).items():
                    samples[way][measure].append(value)
        bench.stop_workers()
    finally:
        bench.stop()
        site.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    load_end = os.getloadavg()

    report = {w: {m: _stats(samples[w][m]) for m in measures} for w in ways}
    print(f"\n== cancel a running test: {args.rounds} rounds per way, {os.cpu_count()} CPUs, "
          f"load {load_start[0]:.1f} -> {load_end[0]:.1f} ==")
    labels = {"returned": "call returned", "final": "attempt final in the database",
              "worker_done": "worker done with the test (RQ job ended_at)"}
    for way in ways:
        print(f"  {way}:")
        for measure in measures:
            r = report[way][measure]
            print(f"    {labels[measure]:44s} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  max {r['max_ms']:7.1f} ms")
    ratio = report["cancel_run"]["worker_done"]["p50_ms"] / max(report["rq stop-job"]["worker_done"]["p50_ms"], 0.1)
    worst = max(report["cancel_run"]["worker_done"]["max_ms"], report["cancel_run"]["final"]["max_ms"])
    print(f"  worker done, cancel_run / rq stop-job (p50): {ratio:.2f}x ; target: a cancelled test ends and "
          f"its worker is free within 2000 ms ({'met' if worst < 2000 else 'NOT met'}: worst {worst:.0f} ms)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_cancel.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
