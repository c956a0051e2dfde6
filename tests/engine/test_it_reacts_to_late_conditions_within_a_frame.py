"""Every kind of wait passes when its condition turns true late, and notices it soon after: within a
loose bound (the tight figure is bench/bench_waits.py's), not at Playwright's next polling tick.

Playwright 1.65 checks at 0, 20, 70, 170, 270, 770, 1270 ... ms: between its checks a condition
waits up to 500 ms. Each case runs twice, the condition turning true 650 and 900 ms in (half a
polling period apart), so a 500 ms poll misses the bound in at least one of them whatever its
phase; an event-driven wait is well within it both times. (Not earlier: on a loaded box the
first check and arming the page's waiters can take a few hundred ms, and a condition turning
true meanwhile is only seen by the check after them.)"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.engine.helpers import assert_passed
from tests.engine.late_conditions import PAGE, PLACES, cells, wait_step

DELAYS_MS = (650, 900)
MAX_OVERSHOOT_MS = 250


class _Clock:
    """Reporter keeping the wall-clock start of every step."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}

    def test_started(self, name: str, total_steps: int) -> None: ...
    def step_started(self, index: int, action: str, name: str | None) -> None:
        self.started[index] = time.time()

    def step_finished(self, result: Any) -> None: ...
    def artifact(self, kind: str, path: Path) -> None: ...
    def test_finished(self, result: Any) -> None: ...


def _overshoot_ms(run, site: str, kind: str, where: str, delay_ms: int) -> float:
    """Run the wait once; how long after the page made its condition true the step ended."""
    clock = _Clock()
    result = run([
        {"action": "evaluate", "script": f"arm('{kind}', '{where}', {delay_ms})"},
        wait_step(kind, where, site),
        {"action": "evaluate", "script": "window.__flipAt", "variable": "flip"},
    ], page=PAGE, reporter=clock)
    assert_passed(result)
    flipped_at_ms = float(result.variables["flip"])
    assert flipped_at_ms >= clock.started[1] * 1000, "the condition held before the wait started"
    return (clock.started[2] * 1000 + result.steps[2].duration_ms) - flipped_at_ms


@pytest.mark.parametrize(("kind", "where"), cells(), ids=[f"{k}-{PLACES[w]}" for k, w in cells()])
def test_it_passes_a_wait_soon_after_its_condition_turns_true(run, site, kind, where):
    # One more pair only when a pair was late: on a 2-core box at load ~20 a single round trip
    # sometimes stalls for a few hundred ms.
    pairs = [[_overshoot_ms(run, site, kind, where, d) for d in DELAYS_MS]]
    if max(pairs[0]) >= MAX_OVERSHOOT_MS:
        pairs.append([_overshoot_ms(run, site, kind, where, d) for d in DELAYS_MS])
    late = [f"{o:.0f}" for o in pairs[-1]]
    assert max(pairs[-1]) < MAX_OVERSHOOT_MS, f"{kind} in {PLACES[where]}: noticed {late} ms late ({pairs=})"
