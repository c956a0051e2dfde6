"""Bench run orchestration: queue -> real `traceiq worker` processes -> results in the database.

    .venv/bin/python bench/bench_runs.py [--tests 40] [--probes 10] [--trace failures]

Sets up a private redis-server (unix socket), a migrated SQLite database and a local fixture
site (tests/runs/site), creates --tests short tests (goto, assert title, click, assert text)
and measures, with workers started and warm before the clock starts:

- wall time of a run of all tests, with 1 and with 2 workers (warm browsers);
- per-test overhead above the engine's own time: (wall x workers - sum of engine durations) / tests,
  i.e. everything the orchestration adds (queue, claim, DB writes, events, context setup);
- enqueue-to-first-step latency: `start_run()` of a one-test run on idle workers until its
  first `step.started` event (timestamps of the Redis stream entries), over --probes runs;
- the same 1- and 2-worker runs against a second copy of the site that answers every request
  after --site-delay-ms (500): on a 2-core machine the local static site makes a run CPU-bound
  (Chromium), so it cannot show what a second worker gives when tests wait on a real app;
- the same run with TRACEIQ_WARM_BROWSERS=false (browser launched per test): warm vs cold
  per-test overhead.

The default trace mode ("failures") is kept: every test is traced, the trace is only saved
when it fails. Numbers go to stdout and bench/out/bench_runs.json.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
SITE = REPO / "tests" / "runs" / "site"
OUT = BENCH / "out"
TRACEIQ = str(Path(sys.executable).parent / "traceiq")

STEPS: list[dict[str, Any]] = [
    {"action": "goto", "url": "/index.html"},
    {"action": "assert_title", "expected": "Runs home"},
    {"action": "click", "target": {"css": "#btn"}},
    {"action": "assert_text", "target": {"css": "#out"}, "expected": "clicked"},
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Slow(_Quiet):
    """Answers every request after a fixed delay, like an application server doing real work."""

    delay_s = 0.0

    def do_GET(self) -> None:
        time.sleep(self.delay_s)
        super().do_GET()


def serve_site(delay_ms: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("_SlowBy", (_Slow,), {"delay_s": delay_ms / 1000}) if delay_ms else _Quiet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    return sum(fields) - fields[3] - fields[4], sum(fields)  # idle and iowait are not busy


def wait(predicate: Any, timeout: float, what: str, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(what)


class Bench:
    def __init__(self, root: Path, site_url: str, tests: int, trace: str, slow_site_url: str) -> None:
        self.root = root
        self.site_url = site_url
        self.slow_site_url = slow_site_url
        self.n_tests = tests
        self.redis_dir = Path(tempfile.mkdtemp(prefix="tiqbench-redis-", dir="/tmp"))
        self.socket = self.redis_dir / "redis.sock"
        self.data_dir = root / "data"
        self.data_dir.mkdir(parents=True)
        self.settings = {
            "REDIS_URL": f"unix://{self.socket}",
            "DATABASE_URL": f"sqlite:///{self.data_dir / 'traceiq.db'}",
            "TRACEIQ_DATA_DIR": str(self.data_dir),
            "TRACEIQ_RUN_TRACE": trace,
            "TRACEIQ_MODE": "development",
        }
        self.redis_proc: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    # --- setup ----------------------------------------------------------------------------
    def start(self) -> None:
        self.redis_proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", "0", "--unixsocket", str(self.socket),
             "--dir", str(self.redis_dir), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for key in [k for k in os.environ if k.startswith(("TRACEIQ_", "S3_"))]:
            del os.environ[key]
        os.environ.update(self.settings)
        import redis

        wait(lambda: self._ping(redis), 10, "redis")
        from traceiq_app.services.platform.migrations import upgrade_to_head

        upgrade_to_head(self.settings["DATABASE_URL"])
        self.project_id = self._seed("bench", self.site_url)
        self.slow_project_id = self._seed("slow", self.slow_site_url)

    @staticmethod
    def _ping(redis: Any) -> bool:
        try:
            return bool(redis.Redis.from_url(os.environ["REDIS_URL"]).ping())
        except Exception:  # noqa: BLE001
            return False

    def _seed(self, slug: str, site_url: str) -> uuid.UUID:
        from traceiq_app.db import session_scope
        from traceiq_app.models import Organization, Project, TestCase

        with session_scope() as s:
            org = Organization(name=f"Bench {slug}", slug=slug)
            s.add(org)
            s.flush()
            project = Project(org_id=org.id, name="Bench", slug=slug, settings={"base_url": site_url})
            s.add(project)
            s.flush()
            for n in range(self.n_tests):
                s.add(TestCase(project_id=project.id, name=f"short {n:02d}", steps=list(STEPS), tags=["bench"]))
            s.add(TestCase(project_id=project.id, name="probe", steps=list(STEPS), tags=["probe"]))
            return project.id

    def start_workers(self, count: int, warm: bool = True) -> None:
        from rq import Worker

        from traceiq_app.redis_conn import get_redis

        env = {k: v for k, v in os.environ.items()}
        env["TRACEIQ_WARM_BROWSERS"] = "true" if warm else "false"
        names = []
        for n in range(count):
            suffix = f"bench{n}-{uuid.uuid4().hex[:4]}"
            log = open(self.data_dir / f"{suffix}.log", "wb")  # noqa: SIM115
            proc = subprocess.Popen([TRACEIQ, "worker", "--name-suffix", suffix], env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
            self.workers.append(proc)
            names.append(f"{socket.gethostname()}.{proc.pid}.{suffix}")
        wait(lambda: set(names) <= {w.name for w in Worker.all(connection=get_redis())}, 90, "workers")

    def stop_workers(self) -> None:
        for proc in self.workers:
            proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.workers = []

    def stop(self) -> None:
        self.stop_workers()
        if self.redis_proc:
            self.redis_proc.terminate()
            self.redis_proc.wait(10)
        shutil.rmtree(self.redis_dir, ignore_errors=True)

    # --- measurements ---------------------------------------------------------------------
    def run_all(self, workers: int, project_id: uuid.UUID | None = None) -> dict[str, Any]:
        from traceiq_app.models import RunStatus
        from traceiq_app.services.runs.control import get_run, run_results, start_run

        busy0, total0 = cpu_ticks()
        started = time.monotonic()
        run = start_run(project_id or self.project_id, selection={"tags": ["bench"]})
        wait(lambda: (get_run(run.id) or run).status.is_final, 900, "run", interval=0.05)
        wall = time.monotonic() - started
        busy1, total1 = cpu_ticks()
        final = get_run(run.id)
        assert final is not None and final.status == RunStatus.passed, final
        results = run_results(run.id)
        engine_ms = [r.duration_ms or 0 for r in results]
        in_worker_ms = [((r.finished_at - r.started_at).total_seconds() * 1000) - (r.duration_ms or 0)
                        for r in results if r.finished_at and r.started_at]
        return {
            "workers": workers,
            "tests": len(results),
            "wall_s": round(wall, 2),
            "engine_ms_mean": round(statistics.mean(engine_ms), 1),
            "overhead_ms_per_test": round((wall * 1000 * workers - sum(engine_ms)) / len(results), 1),
            "in_worker_overhead_ms_mean": round(statistics.mean(in_worker_ms), 1),
            "tests_per_s": round(len(results) / wall, 2),
            # How much of the whole machine the run kept busy: with 1 worker near 100 %,
            # a second worker has no core to run on and cannot halve the wall time.
            "machine_cpu_busy_pct": round(100 * (busy1 - busy0) / max(1, total1 - total0), 1),
        }

    def probe_latency(self, probes: int) -> dict[str, Any]:
        """start_run() -> first step.started of a one-test run, on idle workers."""
        from traceiq_app.services.runs import live_events
        from traceiq_app.services.runs.control import get_run, start_run

        latencies = []
        for _ in range(probes):
            t0_ms = time.time() * 1000
            run = start_run(self.project_id, selection={"tags": ["probe"]})
            first = wait(lambda run=run: next((e for e in live_events.read_events(run.id)
                                               if e.type == live_events.STEP_STARTED), None), 60, "first step")
            latencies.append(int(first.id.split("-")[0]) - t0_ms)
            wait(lambda run=run: (get_run(run.id) or run).status.is_final, 60, "probe run")
            time.sleep(0.2)
        latencies.sort()
        return {"probes": probes, "p50_ms": round(statistics.median(latencies), 1),
                "p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))], 1),
                "max_ms": round(latencies[-1], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=40)
    parser.add_argument("--probes", type=int, default=10)
    parser.add_argument("--trace", default="failures", choices=["on", "off", "failures"])
    parser.add_argument("--site-delay-ms", type=int, default=500,
                        help="server latency of the second, 'slow site' scenario (0 skips it)")
    args = parser.parse_args(argv)

    site, site_url = serve_site()
    slow_site, slow_site_url = serve_site(args.site_delay_ms)
    root = Path(tempfile.mkdtemp(prefix="tiqbench-"))
    bench = Bench(root, site_url, args.tests, args.trace, slow_site_url)
    report: dict[str, Any] = {"tests": args.tests, "trace": args.trace, "cpus": os.cpu_count(),
                              "loadavg_at_start": os.getloadavg()}
    try:
        bench.start()
        for workers in (1, 2):
            bench.start_workers(workers, warm=True)
            report[f"warm_{workers}w"] = bench.run_all(workers)
            print(json.dumps(report[f"warm_{workers}w"]), flush=True)
            if workers == 1:
                report["latency_warm"] = bench.probe_latency(args.probes)
                print("latency (warm):", json.dumps(report["latency_warm"]), flush=True)
            if args.site_delay_ms:
                # The same tests against a site that answers in --site-delay-ms: the workers
                # wait instead of burning CPU, as with most real applications under test.
                report[f"slow_{workers}w"] = bench.run_all(workers, bench.slow_project_id)
                print("slow site:", json.dumps(report[f"slow_{workers}w"]), flush=True)
            bench.stop_workers()
        bench.start_workers(1, warm=False)
        report["cold_1w"] = bench.run_all(1)
        print(json.dumps(report["cold_1w"]), flush=True)
        report["latency_cold"] = bench.probe_latency(max(3, args.probes // 3))
        print("latency (cold):", json.dumps(report["latency_cold"]), flush=True)
        bench.stop_workers()
    finally:
        bench.stop()
        site.shutdown()
        slow_site.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    report["loadavg_at_end"] = os.getloadavg()

    warm1, warm2, cold = report["warm_1w"], report["warm_2w"], report["cold_1w"]
    print("\n== run orchestration ==")
    print(f"{args.tests} short tests (4 steps each), trace={args.trace}, {os.cpu_count()} CPUs, "
          f"load {report['loadavg_at_start'][0]:.1f} -> {report['loadavg_at_end'][0]:.1f}")
    print(f"  1 worker  (warm): wall {warm1['wall_s']:6.2f} s  engine {warm1['engine_ms_mean']:6.1f} ms/test  "
          f"overhead {warm1['overhead_ms_per_test']:6.1f} ms/test  machine CPU busy {warm1['machine_cpu_busy_pct']:.0f} %")
    print(f"  2 workers (warm): wall {warm2['wall_s']:6.2f} s  engine {warm2['engine_ms_mean']:6.1f} ms/test  "
          f"overhead {warm2['overhead_ms_per_test']:6.1f} ms/test  speed-up x{warm1['wall_s'] / warm2['wall_s']:.2f}  machine CPU busy {warm2['machine_cpu_busy_pct']:.0f} %")
    print(f"  1 worker  (cold): wall {cold['wall_s']:6.2f} s  engine {cold['engine_ms_mean']:6.1f} ms/test  "
          f"overhead {cold['overhead_ms_per_test']:6.1f} ms/test")
    if args.site_delay_ms:
        slow1, slow2 = report["slow_1w"], report["slow_2w"]
        print(f"  site answering in {args.site_delay_ms} ms (workers mostly wait on it):")
        for label, row in (("1 worker ", slow1), ("2 workers", slow2)):
            print(f"    {label} (warm): wall {row['wall_s']:6.2f} s  engine {row['engine_ms_mean']:6.1f} ms/test  "
                  f"overhead {row['overhead_ms_per_test']:6.1f} ms/test  machine CPU busy {row['machine_cpu_busy_pct']:.0f} %")
        print(f"    speed-up with 2 workers x{slow1['wall_s'] / slow2['wall_s']:.2f}")
    cold_cost = (cold["wall_s"] - warm1["wall_s"]) * 1000 / args.tests
    print(f"  cold browser costs {cold_cost:.0f} ms more per test than a warm one")
    lat = report["latency_warm"]
    print(f"  enqueue -> first step (warm, idle workers): p50 {lat['p50_ms']} ms, p90 {lat['p90_ms']} ms "
          f"(target < 300 ms) ; cold: p50 {report['latency_cold']['p50_ms']} ms")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_runs.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
