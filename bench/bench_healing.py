"""Self-healing locators: accuracy over a corpus of page mutations, time per heal, and what
recording fingerprints costs a passing run, side by side.

    .venv/bin/python bench/bench_healing.py [--runs 12]

Corpus (tests/engine/healing_site.py): a checkout page and 80 next versions of it, 10 per
element (8 elements: heading, 2 links, 2 text fields, a checkbox, 2 buttons). 7 are healable
(renamed id, generated id, no id, new id + classes, new id + slightly changed text or label,
moved to another part of the page, a look-alike neighbour added) and 3 are not (element gone,
two indistinguishable twins, only a hidden copy left). For each: record on version 1, run the
step on the mutation with healing, then check the healed locator on its own (unique, finds the
element with the same hidden `data-k`).

precision = correct heals / all heals; recall = correct heals / healable mutations.
Heal time = the heal itself (candidates + scoring + new locator), after the locator's wait.
Fast path: a 9-step passing test, no healing vs. healing with a warm store (the usual case)
vs. a cold store (every located element fingerprinted once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engine.healing_site import BASE, Mutation, steps_for, write_site  # noqa: E402
from tests.support.processes import serve_directory  # noqa: E402
from traceiq_app.engine.healing import HealingOptions  # noqa: E402
from traceiq_app.engine.model import TestDefinition  # noqa: E402
from traceiq_app.engine.results import RunOptions  # noqa: E402
from traceiq_app.engine.runner import Engine  # noqa: E402

WAIT_MS = 400  # the failing locator's own wait before healing starts (not counted as heal time)


def _test(url: str, key: str, target: dict[str, Any], timeout_ms: int = WAIT_MS) -> TestDefinition:
    steps = [{"action": "goto", "url": url}, *steps_for(key, target)]
    steps[1]["timeout_ms"] = timeout_ms
    return TestDefinition.model_validate({"version": 1, "name": f"heal {key}", "steps": steps})


def accuracy(engine: Engine, base: str, corpus: dict[str, Mutation]) -> dict[str, Any]:
    stores: dict[str, dict[str, Any]] = {}
    for key in BASE:
        first = engine.run(_test(base + "v1.html", key, {"css": f"#{BASE[key]['id']}"}, 5_000),
                           RunOptions(trace="off", healing=HealingOptions()))
        assert first.status == "passed", first.error
        stores[key] = first.fingerprints
    healed = correct = wrong = missed = refused_ok = 0
    times: list[float] = []
    failures: list[str] = []
    for name, mutation in corpus.items():
        result = engine.run(_test(base + f"m-{name}.html", mutation.key, {"css": mutation.locator}),
                            RunOptions(trace="off", healing=HealingOptions(fingerprints=stores[mutation.key],
                                                                             heal=True)))
        record = result.steps[1].healed if len(result.steps) > 1 else None
        if record is None:
            if mutation.healable:
                missed += 1
                failures.append(f"missed  {name}: {result.error}")
            else:
                refused_ok += 1
            continue
        healed += 1
        times.append(float(record["elapsed_ms"]))
        check = TestDefinition.model_validate({"version": 1, "name": "check", "steps": [
            {"action": "goto", "url": base + f"m-{name}.html"},
            {"action": "assert_count", "target": record["locator"], "expected": 1, "timeout_ms": 2_000},
            {"action": "assert_attribute", "target": record["locator"], "attribute": "data-k",
             "expected": mutation.key, "timeout_ms": 2_000}]})
        ok = mutation.healable and result.status == "passed" and engine.run(check, RunOptions(trace="off")).status == "passed"
        if ok:
            correct += 1
        else:
            wrong += 1
            failures.append(f"WRONG   {name}: {record['to']} (score {record['score']})")
    healable = sum(m.healable for m in corpus.values())
    return {"mutations": len(corpus), "healable": healable, "healed": healed, "correct": correct, "wrong": wrong,
            "missed": missed, "refused_ok": refused_ok, "times": times, "failures": failures,
            "precision": correct / healed if healed else 1.0, "recall": correct / healable if healable else 1.0}


def fast_path(engine: Engine, base: str, runs: int) -> dict[str, list[float]]:
    steps: list[dict[str, Any]] = [{"action": "goto", "url": base + "v1.html"}]
    for key in ("email", "coupon"):
        steps.append({"action": "fill", "target": {"css": f"#{BASE[key]['id']}"}, "value": "x@example.com"})
    steps += [{"action": "check", "target": {"css": "#terms"}},
              {"action": "assert_visible", "target": {"css": "#title"}},
              {"action": "assert_visible", "target": {"css": "#help-link"}},
              {"action": "assert_value", "target": {"css": "#email"}, "expected": "x@example.com"},
              {"action": "click", "target": {"css": "#save"}},
              {"action": "assert_text", "target": {"css": "#status"}, "expected": "save"}]
    test = TestDefinition.model_validate({"version": 1, "name": "fast path", "steps": steps})
    warm = engine.run(test, RunOptions(trace="off", healing=HealingOptions())).fingerprints
    modes = {"no healing": lambda: None, "heal, warm store": lambda: HealingOptions(fingerprints=warm, heal=True),
             "heal, cold store": lambda: HealingOptions(heal=True)}
    out: dict[str, list[float]] = {name: [] for name in modes}
    for _ in range(runs):  # interleaved, so load changes hit every mode alike
        for name, healing in modes.items():
            started = time.perf_counter()
            result = engine.run(test, RunOptions(trace="off", healing=healing()))
            out[name].append((time.perf_counter() - started) * 1000)
            assert result.status == "passed", result.error
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=12, help="runs per mode for the fast-path comparison")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tiq-heal-bench-"))
    corpus = write_site(folder)
    engine = Engine()
    try:
        with serve_directory(folder) as url:
            base = url + "/"
            started = time.monotonic()
            acc = accuracy(engine, base, corpus)
            fast = fast_path(engine, base, args.runs)
            total = time.monotonic() - started
    finally:
        engine.close()
    times = sorted(acc["times"])
    print(f"Healing accuracy over {acc['mutations']} mutations ({acc['healable']} healable, "
          f"{acc['mutations'] - acc['healable']} not):")
    print(f"  precision {acc['precision'] * 100:.1f} %  ({acc['correct']} correct of {acc['healed']} heals, "
          f"{acc['wrong']} wrong)")
    print(f"  recall    {acc['recall'] * 100:.1f} %  ({acc['correct']} of {acc['healable']} healable; "
          f"{acc['missed']} missed)")
    print(f"  refused   {acc['refused_ok']} of {acc['mutations'] - acc['healable']} unhealable (gone, twins, hidden)")
    if times:
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"  time per heal: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms "
              f"(+ the failing locator's own wait, {WAIT_MS} ms here)")
    for line in acc["failures"]:
        print("   ", line)
    print(f"\nFast path: a passing 9-step test, {args.runs} runs per mode (ms per run):")
    print(f"  {'mode':<20}{'p50':>8}{'mean':>8}{'min':>8}   vs. no healing (p50)")
    ref = statistics.median(fast["no healing"])
    for name, values in fast.items():
        p50 = statistics.median(values)
        print(f"  {name:<20}{p50:>8.0f}{statistics.mean(values):>8.0f}{min(values):>8.0f}   "
              f"{(p50 - ref):+.0f} ms ({(p50 / ref - 1) * 100:+.1f} %)")
    print(f"\n(total {total:.0f} s)")


if __name__ == "__main__":
    main()
