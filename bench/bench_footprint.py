"""Idle memory footprint of the embedded install, and what closing idle browsers saves.

Starts the real embedded install (`reflex run --env prod`: web + TRACEIQ_WORKERS=2 supervised
workers + the embedded redis-server; `--no-web`: only redis-server and two `traceiq worker`
processes, no frontend build), runs one test so the browsers are warm, then measures the
proportional set size (PSS, /proc/<pid>/smaps_rollup) summed over the whole process tree:

1. warm and idle (browsers open),
2. after TRACEIQ_BROWSER_IDLE_SECONDS passed (browsers closed by the idle workers),
3. the duration of the first test after idle vs a test on a warm browser (run start to end).

    .venv/bin/python bench/bench_footprint.py [--no-web] [--idle 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.processes import RedisServer, base_env, serve_directory  # noqa: E402

SITE = REPO / "tests" / "runs" / "site"
TRACEIQ = str(Path(sys.executable).parent / "traceiq")


def tree_pss_mb(roots: list[int]) -> tuple[float, int]:
    """PSS of the roots and all their descendants, in MB, and how many processes."""
    seen: dict[int, psutil.Process] = {}
    for pid in roots:
        try:
            root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            continue
        for proc in [root, *root.children(recursive=True)]:
            seen[proc.pid] = proc
    total = 0
    for proc in seen.values():
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 1e6, len(seen)


def browser_count(roots: list[int]) -> int:
    count = 0
    for pid in roots:
        try:
            for proc in psutil.Process(pid).children(recursive=True):
                if "chrom" in proc.name().lower():
                    count += 1
        except psutil.NoSuchProcess:
            continue
    return count


def run_once(project_id: uuid.UUID) -> float:
    """Seconds from starting a one-test run to its end (it must pass)."""
    from traceiq_app.db import session_scope
    from traceiq_app.models import Run
    from traceiq_app.services.runs.control import start_run

    started = time.monotonic()
    run = start_run(project_id)
    while True:
        with session_scope() as s:
            row = s.get(Run, run.id)
            assert row is not None
            if row.status.is_final:
                assert str(row.status) == "passed", row.status
                return time.monotonic() - started
        time.sleep(0.02)


def seed(site_url: str) -> uuid.UUID:
    from tests.factories import make_org, make_project, make_test_case
    from traceiq_app.db import session_scope

    with session_scope() as s:
        org = make_org(s, "Bench")
        project = make_project(s, org, "Footprint", settings={"base_url": site_url})
        make_test_case(s, project, "home", steps=[{"action": "goto", "url": "/index.html"},
                                                   {"action": "assert_title", "expected": "Runs home"}])
        return project.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-web", action="store_true", help="redis-server and two workers only (no frontend build)")
    parser.add_argument("--idle", type=float, default=5.0, help="TRACEIQ_BROWSER_IDLE_SECONDS for the run")
    args = parser.parse_args()

    settings = {"TRACEIQ_BROWSER_IDLE_SECONDS": str(args.idle)}
    with serve_directory(SITE) as site_url:
        measure(args, settings, site_url)


def measure(args: argparse.Namespace, settings: dict[str, str], site_url: str) -> None:
    procs: list[subprocess.Popen[bytes]] = []
    server = redis = None
    tmp = Path(tempfile.mkdtemp(prefix="tiq-footprint-"))
    try:
        if args.no_web:
            redis = RedisServer(tmp / "redis").start()
            data = tmp / "data"
            env = base_env(REDIS_URL=redis.url, TRACEIQ_DATA_DIR=str(data), **settings)
            os.environ.update({"REDIS_URL": redis.url, "TRACEIQ_DATA_DIR": str(data), **settings})
            subprocess.run([TRACEIQ, "migrate"], env=env, check=True, capture_output=True)
            log = (tmp / "workers.log").open("wb")
            procs = [subprocess.Popen([TRACEIQ, "worker", "--name-suffix", f"b{i}"], env=env, stdout=log,
                                      stderr=subprocess.STDOUT) for i in range(2)]
            roots = [p.pid for p in procs] + [redis.process.pid]
            label = "redis-server + 2 workers"
        else:
            from tests.support.app_server import AppServer

            print("building and starting the app (minutes)...", flush=True)
            server = AppServer(env=settings, workers=2)
            os.environ.update({"TRACEIQ_DATA_DIR": str(server.data_dir)})
            roots = [server.process.pid]
            label = "web + 2 workers + redis-server"
        from traceiq_app.settings import reset_settings_cache

        reset_settings_cache()
        time.sleep(3)
        project_id = seed(site_url)
        for _ in range(3):  # both workers warm, whichever takes the test
            run_once(project_id)
        warm_test = min(run_once(project_id) for _ in range(3))
        warm_mb, nprocs = tree_pss_mb(roots)
        print(f"{label}: warm idle PSS {warm_mb:.0f} MB over {nprocs} processes, "
              f"{browser_count(roots)} browser processes", flush=True)

        deadline = time.monotonic() + args.idle + 60
        while browser_count(roots) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        idle_mb, nprocs = tree_pss_mb(roots)
        print(f"{label}: after {args.idle:.0f} s idle PSS {idle_mb:.0f} MB over {nprocs} processes, "
              f"{browser_count(roots)} browser processes", flush=True)
        first = run_once(project_id)
        print(f"test on a warm browser {warm_test:.2f} s; first test after idle {first:.2f} s "
              f"(+{first - warm_test:.2f} s)", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        if server is not None:
            server.stop()
            server.cleanup()
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    main()
