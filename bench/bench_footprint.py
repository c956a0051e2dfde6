"""Idle memory footprint of the embedded install, and what closing idle browsers saves.

Starts the real embedded install (`reflex run --env prod`: web + TRACEIQ_WORKERS=2 supervised
workers + the embedded redis-server; `--no-web`: only redis-server and two `traceiq worker`
processes, no frontend build), runs one test so the browsers are warm, then measures the
proportional set size (PSS, /proc/<pid>/smaps_rollup) summed over the whole process tree:

1. warm and idle (browsers open),
2. after TRACEIQ_BROWSER_IDLE_SECONDS passed (browsers closed by the idle workers),
3. the first test after idle vs a test on a warm browser: the time from enqueue (just before
   `start_run`, which enqueues) to the first step's start (the `step.started` event of step 0,
   its Redis stream id is the server's clock in ms), and the whole run; after idle it is
   measured `--cycles` times (each time the workers idle past TRACEIQ_BROWSER_IDLE_SECONDS and
   close their browsers first), warm 3 times; medians printed side by side.

   `--compare` measures it all twice, with TRACEIQ_BROWSER_EARLY_RELAUNCH=false (the browser is
   launched after the attempt was claimed) and =true (launched while it is claimed), and prints
   the ratio of the after-idle medians.

   `--compare-browser` measures it all with the full browser in headless mode (what the engine
   launched before) and then with the default, Chromium's headless shell, side by side.

    .venv/bin/python bench/bench_footprint.py [--no-web] [--idle 5] [--cycles 3] [--compare]
                                              [--compare-browser] [--keep-driver]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
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


def tree_breakdown(roots: list[int]) -> str:
    """PSS per kind of process of the tree (redis-server, web, worker, chromium, node...), in MB."""
    kinds: dict[str, list[float]] = {}
    for pid in roots:
        try:
            procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for proc in procs:
            try:
                cmd = " ".join(proc.cmdline())
                pss = proc.memory_full_info().pss / 1e6
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            kind = ("worker" if " worker" in cmd else "chromium" if "chrom" in proc.name().lower()
                    else "redis-server" if "redis" in proc.name() else proc.name())
            kinds.setdefault(kind, []).append(pss)
    return ", ".join(f"{kind} {sum(v):.0f} MB ({len(v)})" for kind, v in
                     sorted(kinds.items(), key=lambda kv: -sum(kv[1])))


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
    return timed_run(project_id)[0]


def timed_run(project_id: uuid.UUID) -> tuple[float, float]:
    """(seconds from start to the run's end, seconds from enqueue to the first step's start)."""
    from traceiq_app.db import session_scope
    from traceiq_app.models import Run
    from traceiq_app.services.runs import live_events
    from traceiq_app.services.runs.control import start_run

    started, wall = time.monotonic(), time.time()
    run = start_run(project_id)
    while True:
        with session_scope() as s:
            row = s.get(Run, run.id)
            assert row is not None
            if row.status.is_final:
                assert str(row.status) == "passed", row.status
                total = time.monotonic() - started
                break
        time.sleep(0.02)
    first = next(e for e in live_events.read_events(run.id)
                 if e.type == live_events.STEP_STARTED and e.data.get("index") == 0)
    return total, int(first.id.split("-")[0]) / 1000 - wall


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def wait_browsers_closed(roots: list[int], idle: float) -> None:
    deadline = time.monotonic() + idle + 60
    time.sleep(min(idle, 1.0))
    while browser_count(roots) and time.monotonic() < deadline:
        time.sleep(0.5)


def seed(site_url: str) -> uuid.UUID:
    from tests.factories import make_org, make_project, make_test_case
    from traceiq_app.db import session_scope

    with session_scope() as s:
        org = make_org(s, "Bench")
        project = make_project(s, org, "Footprint", settings={"base_url": site_url})
        make_test_case(s, project, "home", steps=[{"action": "goto", "url": "/index.html"},
                                                   {"action": "assert_title", "expected": "Runs home"}])
        return project.id


FULL_CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Measured:
    """One `measure`: idle footprint and enqueue -> first step start, in MB and seconds."""
    warm_mb: float
    idle_mb: float
    warm_first: float  # median on a warm browser
    first: float  # median of the first tests after idle
    worst: float  # max of the first tests after idle

    @property
    def cost(self) -> float:
        return self.first - self.warm_first


def compare_browsers(args: argparse.Namespace, settings: dict[str, str], site_url: str) -> None:
    """The full browser in headless mode (the engine's choice before the headless shell) against
    the engine's default now (Debian's chromium-headless-shell), side by side."""
    print("--- full chromium", flush=True)
    full = measure(args, {**settings, "TRACEIQ_CHROMIUM_PATH": FULL_CHROMIUM}, site_url)
    print("--- default (headless shell)", flush=True)
    dflt = measure(args, settings, site_url)
    print(f"warm idle PSS: full {full.warm_mb:.0f} MB, default {dflt.warm_mb:.0f} MB "
          f"(ratio {dflt.warm_mb / full.warm_mb:.2f}); after the idle close: full {full.idle_mb:.0f} MB, "
          f"default {dflt.idle_mb:.0f} MB", flush=True)
    print(f"first test after idle, enqueue -> first step start: full median {full.first * 1000:.0f} ms "
          f"(+{full.cost * 1000:.0f} ms over warm {full.warm_first * 1000:.0f}), max {full.worst * 1000:.0f}; "
          f"default median {dflt.first * 1000:.0f} ms (+{dflt.cost * 1000:.0f} ms over warm "
          f"{dflt.warm_first * 1000:.0f}), max {dflt.worst * 1000:.0f}; ratio {dflt.first / full.first:.2f} (median)",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-web", action="store_true", help="redis-server and two workers only (no frontend build)")
    parser.add_argument("--idle", type=float, default=5.0, help="TRACEIQ_BROWSER_IDLE_SECONDS for the run")
    parser.add_argument("--cycles", type=int, default=3, help="first-test-after-idle measurements")
    parser.add_argument("--compare", action="store_true",
                        help="measure with TRACEIQ_BROWSER_EARLY_RELAUNCH off, then on, and print the ratio")
    parser.add_argument("--compare-browser", action="store_true",
                        help=f"measure with the full browser ({FULL_CHROMIUM}), then the default headless shell")
    parser.add_argument("--keep-driver", action="store_true", help="TRACEIQ_BROWSER_IDLE_KEEP_DRIVER=true")
    args = parser.parse_args()

    settings = {"TRACEIQ_BROWSER_IDLE_SECONDS": str(args.idle)}
    if args.keep_driver:
        settings["TRACEIQ_BROWSER_IDLE_KEEP_DRIVER"] = "true"
    with serve_directory(SITE) as site_url:
        if args.compare_browser:
            compare_browsers(args, settings, site_url)
            return
        if not args.compare:
            measure(args, settings, site_url)
            return
        firsts = {}
        for early in ("false", "true"):
            print(f"--- TRACEIQ_BROWSER_EARLY_RELAUNCH={early}", flush=True)
            firsts[early] = measure(args, {**settings, "TRACEIQ_BROWSER_EARLY_RELAUNCH": early}, site_url)
        off, on = firsts["false"], firsts["true"]
        off_med, off_max, on_med, on_max = off.first, off.worst, on.first, on.worst
        print(f"first test after idle, enqueue -> first step start: launch after the claim median "
              f"{off_med * 1000:.0f} ms max {off_max * 1000:.0f} ms; launch during the claim median "
              f"{on_med * 1000:.0f} ms max {on_max * 1000:.0f} ms; ratio {on_med / off_med:.2f} (median), "
              f"{on_max / off_max:.2f} (max)", flush=True)


def measure(args: argparse.Namespace, settings: dict[str, str], site_url: str) -> Measured:
    """Prints the footprint and timings and returns them (the first tests after idle: median and
    max enqueue -> first step start)."""
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
        warm = [timed_run(project_id) for _ in range(3)]
        warm_mb, nprocs = tree_pss_mb(roots)
        print(f"{label}: warm idle PSS {warm_mb:.0f} MB over {nprocs} processes, "
              f"{browser_count(roots)} browser processes", flush=True)
        print(f"  by process: {tree_breakdown(roots)}", flush=True)

        wait_browsers_closed(roots, args.idle)
        time.sleep(2)
        idle_mb, nprocs = tree_pss_mb(roots)
        print(f"{label}: after {args.idle:.0f} s idle PSS {idle_mb:.0f} MB over {nprocs} processes, "
              f"{browser_count(roots)} browser processes", flush=True)
        print(f"  by process: {tree_breakdown(roots)}", flush=True)
        cold = []
        for cycle in range(args.cycles):
            if cycle:
                wait_browsers_closed(roots, args.idle)
                time.sleep(1)
            assert browser_count(roots) == 0, "the browsers should be closed before the first test after idle"
            cold.append(timed_run(project_id))
        warm_first, cold_first = _median([w[1] for w in warm]), _median([c[1] for c in cold])
        warm_total, cold_total = _median([w[0] for w in warm]), _median([c[0] for c in cold])
        print(f"enqueue -> first step start: warm browser {warm_first * 1000:.0f} ms "
              f"(runs: {', '.join(f'{w[1] * 1000:.0f}' for w in warm)}); first test after idle "
              f"{cold_first * 1000:.0f} ms (runs: {', '.join(f'{c[1] * 1000:.0f}' for c in cold)}); "
              f"cost of idle close +{(cold_first - warm_first) * 1000:.0f} ms", flush=True)
        print(f"whole one-test run: warm {warm_total:.2f} s, first after idle {cold_total:.2f} s "
              f"(+{cold_total - warm_total:.2f} s)", flush=True)
        return Measured(warm_mb, idle_mb, warm_first, cold_first, max(c[1] for c in cold))
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
