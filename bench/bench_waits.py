"""Bench how late each kind of wait notices its condition: overshoot = step end - the moment the
page made the condition true, before (the engine at --baseline) and after (this working tree).

    .venv/bin/python bench/bench_waits.py [--reps 20] [--delays 100,400,1500] [--jobs 2]
                                          [--kinds count==,text,...|all] [--baseline REF]

The fixture page tests/fixture_site/late_changes.html makes the condition of one wait kind true
D ms after the step before the wait armed it (D = each of --delays), in the main document ("main"),
in an iframe ("iframe", targets go through `frame: ["#f"]`) and in an open shadow root
("shadow"); it records the moment with Date.now(). Every (kind, place) runs as one test in a
real Chromium, --reps times per D. Overshoot = (step start + step duration) - that moment.

"before" runs the engine of --baseline (default: the commit before traceiq_app/engine/waiting.py
was added), extracted with `git archive` into a temporary directory; "after" runs this tree.
Both run at the same time in separate processes (--jobs each), so they share the machine's load.
Target: p95 overshoot < 50 ms for every kind (after). Last, the CPU an idle wait costs
(a condition that never holds, 3 s) is printed for both.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SITE = REPO / "tests" / "fixture_site"
# The kinds of issue 20; --kinds all adds EXTRA_KINDS.
KINDS = ["count==", "count>=", "count<=", "text", "value", "attribute", "property", "expression", "visible",
         "hidden", "fallback", "frame_index", "navigation"]
EXTRA_KINDS = ["checked", "url", "title"]
TARGET_P95_MS = 50


# ---- the steps: shared with the engine tests (plain dicts, so the old engine loads them too)
sys.path.append(str(REPO))
from tests.engine.late_conditions import MAIN_ONLY, PAGE, PLACES, wait_step  # noqa: E402


def cell_test(kind: str, where: str, base: str, delays: list[int], reps: int) -> tuple[dict[str, Any], list[int]]:
    """One test measuring (kind, where) reps x len(delays) times; returns it and each measured
    step's delay in order."""
    steps: list[dict[str, Any]] = [{"action": "goto", "url": base + PAGE}]
    measured: list[int] = []
    for rep in range(reps):
        for delay in delays:
            i = len(measured)
            if kind == "navigation":
                steps.append({"action": "goto", "url": base + PAGE})
            else:
                steps.append({"action": "evaluate", "script": "reset()"})
            steps.append({"action": "evaluate", "script": f"arm({json.dumps(kind)}, '{where}', {delay})"})
            steps.append({**wait_step(kind, where, base), "name": f"measure {i}"})
            steps.append({"action": "evaluate", "script": "window.__flipAt", "variable": f"flip{i}"})
            measured.append(delay)
        del rep
    return {"name": f"{kind} {PLACES[where]}", "timeout_ms": 3_600_000, "steps": steps}, measured


# ---- worker: runs cells with the engine found first on sys.path --------------------------
class _Clock:
    """Reporter: wall-clock start of every step, by index."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}

    def test_started(self, name: str, total_steps: int) -> None:
        pass

    def step_started(self, index: int, action: str, name: str | None) -> None:
        self.started[index] = time.time()

    def step_finished(self, result: Any) -> None:
        pass

    def artifact(self, kind: str, path: Path) -> None:
        pass

    def test_finished(self, result: Any) -> None:
        pass


def _tree_cpu_s() -> float:
    """CPU seconds used so far by this process and its live descendants (Playwright's driver,
    Chromium's processes), from /proc."""
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [os.getpid()]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(p for p, pp in parent.items() if pp == pid)
    return total


IDLE_S = 5


def idle_cpu(engine: Any, definition: Any, base: str) -> dict[str, float]:
    """CPU ms per second of waiting for a condition that never holds (the page is idle), less
    the same time spent in a fixed `wait_for ms` (a plain sleep)."""
    out: dict[str, float] = {}
    for kind in ["sleep", "count==", "text", "property", "visible", "fallback"]:
        step = ({"action": "wait_for", "ms": IDLE_S * 1000} if kind == "sleep"
                else {**wait_step(kind, "m", base), "timeout_ms": IDLE_S * 1000, "continue_on_failure": True})
        data = {"name": f"idle {kind}", "steps": [{"action": "goto", "url": base + PAGE},
                                                   {"action": "evaluate", "script": f"arm('{kind}', 'm', 600000)"},
                                                   step]}
        test = definition.model_validate(data)
        engine.run(test)  # warm
        cpu = _tree_cpu_s()
        started = time.monotonic()
        engine.run(test)
        out[kind] = (_tree_cpu_s() - cpu) * 1000 / (time.monotonic() - started)
    sleep = out.pop("sleep")
    return {k: v - sleep for k, v in out.items()} | {"sleep (absolute)": sleep}


def worker(src: str, base: str, cells: list[list[str]], delays: list[int], reps: int, idle: bool) -> None:
    sys.path.insert(0, src)
    import traceiq_app.engine
    from traceiq_app.engine.model import TestDefinition
    from traceiq_app.engine.runner import Engine

    print(f"worker: engine from {Path(traceiq_app.engine.__file__).parent}", file=sys.stderr, flush=True)

    engine = Engine()
    try:
        for kind, where in cells:
            data, measured = cell_test(kind, where, base, delays, reps)
            clock = _Clock()
            result = engine.run(TestDefinition.model_validate(data), reporter=clock)
            overshoots: dict[str, list[float]] = {str(d): [] for d in delays}
            failures: list[str] = []
            for step in result.steps:
                if step.name is None or not step.name.startswith("measure "):
                    continue
                i = int(step.name.split()[1])
                flip = result.variables.get(f"flip{i}")
                if step.status != "passed":
                    failures.append(f"{step.status}: {step.error}")
                elif flip in (None, "", "null"):
                    failures.append("the page did not record when the condition held")
                else:
                    end = clock.started[step.index] + step.duration_ms / 1000
                    overshoots[str(measured[i])].append(end * 1000 - float(flip))
            print(json.dumps({"kind": kind, "where": where, "overshoot_ms": overshoots, "failures": failures[:3],
                              "failed": len(failures)}), flush=True)
        if idle:
            print(json.dumps({"idle_cpu_ms_per_s": idle_cpu(engine, TestDefinition, base)}), flush=True)
    finally:
        engine.close()


# Fast path: the condition already holds. The engine must not need more calls than before.
FAST_STEPS = [
    {"action": "assert_text", "target": {"css": "#m-text"}, "expected": "before"},
    {"action": "assert_value", "target": {"css": "#m-input"}, "expected": "before"},
    {"action": "assert_visible", "target": {"css": "#m-text"}},
    {"action": "assert_hidden", "target": {"css": "#m-vis"}},
    {"action": "assert_count", "target": {"css": "#m-shrink li"}, "expected": 3},
    {"action": "assert_title", "expected": "Late changes"},
    {"action": "wait_for", "target": {"css": "#m-text"}},
    {"action": "wait_for", "target": {"css": "#m-vis"}, "state": "hidden"},
    {"action": "wait_for", "target": {"css": "#m-attr"}, "attributes": {"data-state": "before"}, "state": "attached"},
    {"action": "wait_for", "target": {"css": "#m-prop"}, "properties": {"id": "m-prop"}, "state": "attached"},
    {"action": "wait_for", "target": {"css": "#m-list li"}, "count": 1, "operator": "==", "state": "attached"},
    {"action": "wait_for", "target": [{"css": "#m-text"}, {"css": "#m-never"}], "state": "attached"},
]


def count_calls(src: str, base: str) -> None:
    """Print how many Playwright protocol calls each FAST_STEPS step makes (JSON list)."""
    sys.path.insert(0, src)
    from playwright._impl.connection import Connection

    from traceiq_app.engine.model import TestDefinition
    from traceiq_app.engine.runner import Engine

    calls = [0]
    send = Connection.send_message_to_server

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return send(self, *args, **kwargs)

    Connection.send_message_to_server = counted  # type: ignore[method-assign]

    class Counter(_Clock):
        def step_started(self, index: int, action: str, name: str | None) -> None:
            calls[0] = 0

        def step_finished(self, result: Any) -> None:
            self.started[result.index] = calls[0]

    engine = Engine()
    out = []
    try:
        for step in FAST_STEPS:
            counter = Counter()
            test = TestDefinition.model_validate({"name": "calls", "steps": [{"action": "goto", "url": base + PAGE}, step]})
            result = engine.run(test, reporter=counter)
            out.append(counter.started[1] if result.status == "passed" else -1)
    finally:
        engine.close()
    print(json.dumps(out))


# ---- orchestration --------------------------------------------------------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def baseline_tree(ref: str | None, dest: Path) -> str:
    """Extract traceiq_app/ of the baseline commit into dest; returns the commit."""
    if ref is None:
        added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", "traceiq_app/engine/waiting.py"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
        ref = f"{added[-1]}^" if added else "HEAD"
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", commit, "traceiq_app"], cwd=REPO,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return commit


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _fmt(values: list[float]) -> str:
    return f"{_pct(values, 0.5):7.1f} {_pct(values, 0.95):7.1f}" if values else f"{'-':>7} {'-':>7}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--delays", default="100,400,1500")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes per variant")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma list, or 'all' (adds {EXTRA_KINDS})")
    parser.add_argument("--places", default="m,f,s")
    parser.add_argument("--baseline", default=None, help="git ref of the 'before' engine")
    parser.add_argument("--only", choices=["before", "after"], default=None)
    parser.add_argument("--worker", nargs=2, metavar=("SRC", "BASE_URL"), help=argparse.SUPPRESS)
    parser.add_argument("--cells", default="[]", help=argparse.SUPPRESS)
    parser.add_argument("--idle", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--calls", nargs=2, metavar=("SRC", "BASE_URL"), help=argparse.SUPPRESS)
    parser.add_argument("--skip-idle", action="store_true", help="do not measure the CPU of idle waits")
    parser.add_argument("--fast-path-only", action="store_true", help="only count the calls of the fast path")
    args = parser.parse_args(argv)
    delays = [int(d) for d in args.delays.split(",")]
    if args.calls:
        count_calls(*args.calls)
        return 0
    if args.worker:
        worker(args.worker[0], args.worker[1], json.loads(args.cells), delays, args.reps, args.idle)
        return 0

    kinds = KINDS + EXTRA_KINDS if args.kinds == "all" else args.kinds.split(",")
    cells = [[k, w] for k in kinds for w in args.places.split(",") if w == "m" or k not in MAIN_ONLY]
    if args.fast_path_only:
        cells = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    tmp = tempfile.TemporaryDirectory(prefix="bench_waits_")
    variants = {"before": "", "after": str(REPO)}
    if args.only:
        variants = {args.only: variants[args.only]}
    if "before" in variants:
        variants["before"] = tmp.name
        commit = baseline_tree(args.baseline, Path(tmp.name))
        print(f"before = engine at {commit} (git archive); after = this working tree", flush=True)
    print(f"{len(cells)} (kind, place) cells x delays {delays} x {args.reps} reps, {args.jobs} processes per "
          f"variant; load average {os.getloadavg()[0]:.2f}", flush=True)
    started = time.monotonic()
    procs: list[tuple[str, subprocess.Popen[str]]] = []
    for variant, src in variants.items():
        for j in range(args.jobs):
            share = cells[j::args.jobs]
            if share:
                cmd = [sys.executable, __file__, "--worker", src, base, "--cells", json.dumps(share),
                       "--reps", str(args.reps), "--delays", args.delays]
                cmd += ["--idle"] if j == 0 and not args.skip_idle else []
                procs.append((variant, subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=tmp.name)))
    results: dict[str, dict[tuple[str, str], dict[str, Any]]] = {v: {} for v in variants}
    idle: dict[str, dict[str, float]] = {}
    for variant, proc in procs:
        assert proc.stdout is not None
        for line in proc.stdout:
            row = json.loads(line)
            if "idle_cpu_ms_per_s" in row:
                idle[variant] = row["idle_cpu_ms_per_s"]
                continue
            results[variant][(row["kind"], row["where"])] = row
            print(f"  {variant:<6} {row['kind']:<12} {PLACES[row['where']]:<7} done "
                  f"({time.monotonic() - started:5.0f} s, load {os.getloadavg()[0]:.1f})"
                  + (f"  {row['failed']} FAILED: {row['failures']}" if row["failed"] else ""), flush=True)
        proc.wait()
    calls = {v: json.loads(subprocess.run([sys.executable, __file__, "--calls", src, base], capture_output=True,
                                          text=True, cwd=tmp.name).stdout or "[]") for v, src in variants.items()}
    server.shutdown()
    tmp.cleanup()
    code = report(results, cells, delays, args.reps) if cells else 0
    print("\nPlaywright protocol calls of one step whose condition already holds (fast path):")
    print(f"  {'step':<62} " + " ".join(f"{v:>6}" for v in calls))
    for i, step in enumerate(FAST_STEPS):
        shown = json.dumps({k: v for k, v in step.items() if k != "action"})[:50]
        print(f"  {step['action'] + ' ' + shown:<62} " + " ".join(f"{c[i] if i < len(c) else '?':>6}"
                                                                 for c in calls.values()))
    if idle:
        print(f"\nCPU of an idle wait ({IDLE_S} s, condition never holds, main document): ms of CPU per s of "
              "waiting, Python + driver + Chromium, minus a plain `wait_for ms` of the same length")
        names = list(idle)
        print(f"  {'kind':<18} " + " ".join(f"{v:>8}" for v in names))
        for kind in idle[names[0]]:
            print(f"  {kind:<18} " + " ".join(f"{idle[v].get(kind, float('nan')):8.1f}" for v in names))
    return code


def report(results: dict[str, dict[tuple[str, str], dict[str, Any]]], cells: list[list[str]], delays: list[int],
           reps: int) -> int:
    names = list(results)
    header = "  ".join(f"{v + ' p50':>7} {v + ' p95':>7}" for v in names)

    def values(variant: str, kind: str, where: str | None = None, delay: int | None = None) -> list[float]:
        out: list[float] = []
        for (k, w), row in results[variant].items():
            if k == kind and where in (None, w):
                for d, vs in row["overshoot_ms"].items():
                    if delay in (None, int(d)):
                        out.extend(vs)
        return out

    print(f"\novershoot (ms) = step end - moment the condition held; {reps} reps per delay")
    print(f"\nper kind and place (all delays {delays}):")
    print(f"  {'kind':<12} {'place':<7} {header}")
    for kind, where in cells:
        print(f"  {kind:<12} {PLACES[where]:<7} " + "  ".join(_fmt(values(v, kind, where)) for v in names))
    print("\nper kind and delay (all places):")
    print(f"  {'kind':<12} {'D ms':>5} {header}")
    for kind in dict.fromkeys(k for k, _ in cells):
        for delay in delays:
            print(f"  {kind:<12} {delay:>5} " + "  ".join(_fmt(values(v, kind, None, delay)) for v in names))
    ok = True
    print(f"\nper kind (all places and delays), target after p95 < {TARGET_P95_MS} ms:")
    print(f"  {'kind':<12} {'n':>4} {header}  verdict")
    for kind in dict.fromkeys(k for k, _ in cells):
        after = values("after", kind) if "after" in results else []
        verdict = ""
        if "after" in results:
            hit = bool(after) and _pct(after, 0.95) < TARGET_P95_MS
            ok = ok and hit
            verdict = "OK" if hit else "MISSED"
        n = len(after) if after else len(values(names[0], kind))
        print(f"  {kind:<12} {n:>4} " + "  ".join(_fmt(values(v, kind)) for v in names) + f"  {verdict}")
    failed = {v: sum(r["failed"] for r in rows.values()) for v, rows in results.items()}
    print(f"\nfailed measured steps: {failed}")
    return 0 if ok and not any(failed.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
