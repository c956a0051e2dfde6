"""Load bench: many short tests in many concurrent runs on 2 real workers, on SQLite and Postgres.

    .venv/bin/python bench/bench_load.py [--tests 1000] [--runs 50] [--workers 2] [--db both]

For each database: a private redis-server persisting like production (`--appendonly yes`), a
migrated database (an SQLite file, or a fresh Postgres database at TRACEIQ_TEST_PG_ADMIN_URL,
dropped afterwards), a local static site (tests/runs/site), --tests short tests (goto, assert
title) split over --runs projects' runs, --workers `traceiq worker` processes warm before the
clock starts. All runs are started at once; the bench waits for every run to end and reports:

- tests per minute: tests / (last attempt finished - first run created);
- enqueue -> start: each attempt's `started_at - run created` (the runs enqueue all their tests at
  once, so this is mostly the wait behind the other runs' tests): p50, p95, max;
- lost: tests with no final attempt when every run ended (or runs that never ended);
- duplicated: tests with more than one attempt (no retries are asked for), attempts with more
  than one `test.started` event, or steps recorded twice.

The two databases are printed side by side with the Postgres/SQLite ratio. Numbers also go to
bench/out/bench_load.json.
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
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
SITE = REPO / "tests" / "runs" / "site"
OUT = BENCH / "out"
TRACEIQ = str(Path(sys.executable).parent / "traceiq")
PG_ADMIN_URL = os.environ.get("TRACEIQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

STEPS: list[dict[str, Any]] = [
    {"action": "goto", "url": "/index.html"},
    {"action": "assert_title", "expected": "Runs home"},
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def wait(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(what)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class LoadBench:
    def __init__(self, db: str, site_url: str, tests: int, runs: int, workers: int, timeout_s: float) -> None:
        self.db, self.site_url, self.n_tests, self.n_runs, self.n_workers = db, site_url, tests, runs, workers
        self.timeout_s = timeout_s
        self.root = Path(tempfile.mkdtemp(prefix=f"tiqload-{db}-", dir="/tmp"))
        self.socket = self.root / "redis.sock"
        self.data_dir = self.root / "data"
        self.data_dir.mkdir()
        self.pg_name: str | None = None
        self.redis_proc: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    # --- setup ----------------------------------------------------------------------------
    def _database_url(self) -> str:
        if self.db == "sqlite":
            return f"sqlite:///{self.data_dir / 'traceiq.db'}"
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        self.pg_name = f"traceiq_load_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.pg_name}"'))
        admin.dispose()
        return make_url(PG_ADMIN_URL).set(database=self.pg_name).render_as_string(hide_password=False)

    def start(self) -> None:
        self.redis_proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", "0", "--unixsocket", str(self.socket),
             "--dir", str(self.root), "--save", "", "--appendonly", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for key in [k for k in os.environ if k.startswith(("TRACEIQ_", "S3_"))]:
            del os.environ[key]
        os.environ.pop("DATABASE_URL", None)
        self.settings = {
            "REDIS_URL": f"unix://{self.socket}", "DATABASE_URL": self._database_url(),
            "TRACEIQ_DATA_DIR": str(self.data_dir), "TRACEIQ_MODE": "development",
        }
        os.environ.update(self.settings)
        from traceiq_app.db import _engine_for
        from traceiq_app.redis_conn import _client_for
        from traceiq_app.settings import reset_settings_cache

        reset_settings_cache()
        _engine_for.cache_clear()
        _client_for.cache_clear()
        import redis

        wait(lambda: self._ping(redis), 10, "redis", interval=0.05)
        from traceiq_app.services.platform.migrations import upgrade_to_head

        upgrade_to_head(self.settings["DATABASE_URL"])
        self.project_ids = self._seed()

    def _ping(self, redis: Any) -> bool:
        try:
            return bool(redis.Redis.from_url(self.settings["REDIS_URL"]).ping())
        except Exception:  # noqa: BLE001
            return False

    def _seed(self) -> list[uuid.UUID]:
        """One project per run, its share of the tests (so each run selects exactly its own)."""
        from traceiq_app.db import session_scope
        from traceiq_app.models import Organization, Project, TestCase

        per_run = [self.n_tests // self.n_runs + (1 if i < self.n_tests % self.n_runs else 0) for i in range(self.n_runs)]
        ids = []
        with session_scope() as s:
            org = Organization(name="Load", slug=f"load-{uuid.uuid4().hex[:6]}")
            s.add(org)
            s.flush()
            for r, count in enumerate(per_run):
                project = Project(org_id=org.id, name=f"Load {r}", slug=f"load-{r}",
                                  settings={"base_url": self.site_url})
                s.add(project)
                s.flush()
                for n in range(count):
                    s.add(TestCase(project_id=project.id, name=f"short {n:03d}", steps=list(STEPS)))
                ids.append(project.id)
        return ids

    def start_workers(self) -> None:
        from rq import Worker

        from traceiq_app.redis_conn import get_redis

        env = dict(os.environ)
        names = []
        for n in range(self.n_workers):
            suffix = f"load{n}-{uuid.uuid4().hex[:4]}"
            log = open(self.data_dir / f"{suffix}.log", "wb")  # noqa: SIM115
            proc = subprocess.Popen([TRACEIQ, "worker", "--name-suffix", suffix], env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
            self.workers.append(proc)
            names.append(f"{socket.gethostname()}.{proc.pid}.{suffix}")
        wait(lambda: set(names) <= {w.name for w in Worker.all(connection=get_redis())}, 120, "workers")
        time.sleep(2)  # browsers warm

    def stop(self) -> None:
        for proc in self.workers:
            proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.redis_proc:
            self.redis_proc.terminate()
            self.redis_proc.wait(10)
        from traceiq_app.db import _engine_for

        _engine_for.cache_clear()
        if self.pg_name:
            import sqlalchemy as sa

            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- the measurement ------------------------------------------------------------------
    def measure(self) -> dict[str, Any]:
        import sqlalchemy as sa
        from sqlmodel import col, select

        from traceiq_app.db import session_scope
        from traceiq_app.models import Run, StepResult, TestResult
        from traceiq_app.services.runs import live_events
        from traceiq_app.services.runs.control import start_run

        started = time.monotonic()
        run_ids = [start_run(pid).id for pid in self.project_ids]
        start_s = time.monotonic() - started

        def all_final() -> bool:
            with session_scope() as s:
                statuses = s.exec(select(Run.status).where(col(Run.id).in_(run_ids))).all()
            return all(st.is_final for st in statuses)

        ended = True
        try:
            wait(all_final, self.timeout_s, "every run to end", interval=1.0)
        except TimeoutError:
            ended = False
        wall_s = time.monotonic() - started
        with session_scope() as s:
            runs = list(s.exec(select(Run).where(col(Run.id).in_(run_ids))).all())
            results = list(s.exec(select(TestResult).where(col(TestResult.run_id).in_(run_ids))).all())
            step_rows = s.execute(
                sa.select(col(StepResult.test_result_id), col(StepResult.step_index), sa.func.count())
                .join(TestResult, col(TestResult.id) == col(StepResult.test_result_id))
                .where(col(TestResult.run_id).in_(run_ids))
                .group_by(col(StepResult.test_result_id), col(StepResult.step_index))).all()
        created = {r.id: r.created_at for r in runs}
        attempts = Counter((r.run_id, r.test_case_id, r.browser) for r in results)
        finals = [r for r in results if r.status.is_final and r.finished_at]
        waits = [(r.started_at - created[r.run_id]).total_seconds() for r in results if r.started_at]
        started_events: Counter[str] = Counter()
        for run_id in run_ids:
            for e in live_events.read_events(run_id, count=100_000):
                if e.type == live_events.TEST_STARTED:
                    started_events[e.data["test_result_id"]] += 1
        first = min(created.values())
        last = max(r.finished_at for r in finals) if finals else first
        span_s = max((last - first).total_seconds(), 1e-9)
        lost = (self.n_tests - len({k for k in attempts})) + sum(1 for r in results if not r.status.is_final)
        duplicated = (sum(n - 1 for n in attempts.values() if n > 1)
                      + sum(n - 1 for n in started_events.values() if n > 1)
                      + sum(1 for _t, _i, n in step_rows if n > 1))
        return {
            "db": self.db, "tests": self.n_tests, "runs": self.n_runs, "workers": self.n_workers,
            "all_runs_ended": ended, "runs_passed": sum(1 for r in runs if r.status.value == "passed"),
            "start_runs_s": round(start_s, 2), "wall_s": round(wall_s, 1),
            "tests_per_min": round(len(finals) / span_s * 60, 1),
            "enqueue_to_start_p50_s": round(percentile(waits, 50), 2),
            "enqueue_to_start_p95_s": round(percentile(waits, 95), 2),
            "enqueue_to_start_max_s": round(max(waits) if waits else float("nan"), 2),
            "attempts": len(results), "lost": lost, "duplicated": duplicated,
            "passed": sum(1 for r in results if r.status.value == "passed"),
            "median_test_ms": int(statistics.median([r.duration_ms for r in finals if r.duration_ms is not None]))
            if finals else None,
        }


def run_one(db: str, args: argparse.Namespace, site_url: str) -> dict[str, Any]:
    bench = LoadBench(db, site_url, args.tests, args.runs, args.workers, args.timeout)
    try:
        bench.start()
        bench.start_workers()
        return bench.measure()
    finally:
        bench.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for every run to end")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site_url = f"http://127.0.0.1:{server.server_address[1]}"
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {}
    for db in dbs:
        print(f"... {db}: {args.tests} tests in {args.runs} concurrent runs on {args.workers} workers", flush=True)
        results[db] = run_one(db, args, site_url)
    server.shutdown()

    keys = ["all_runs_ended", "runs_passed", "attempts", "passed", "lost", "duplicated", "tests_per_min",
            "enqueue_to_start_p50_s", "enqueue_to_start_p95_s", "enqueue_to_start_max_s", "median_test_ms",
            "start_runs_s", "wall_s"]
    print(f"\nbench_load: {args.tests} short tests (goto + assert title) in {args.runs} concurrent runs, "
          f"{args.workers} workers, Redis with AOF")
    header = f"{'':28}" + "".join(f"{db:>12}" for db in dbs) + ("   postgres/sqlite" if len(dbs) == 2 else "")
    print(header)
    for key in keys:
        values = [results[db][key] for db in dbs]
        line = f"{key:28}" + "".join(f"{str(v):>12}" for v in values)
        if len(dbs) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values) and values[0]:
            line += f"   {values[1] / values[0]:.2f}x"
        print(line)
    ok = all(results[db]["lost"] == 0 and results[db]["duplicated"] == 0 and results[db]["all_runs_ended"]
             for db in dbs)
    print("\nverdict:", "0 lost, 0 duplicated on every database" if ok else "LOST OR DUPLICATED TESTS (see above)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_load.json").write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
