"""Flip rate, flaky-on-retry rate, health score, percentiles and the duration-regression flag on
hand-built histories whose answers are known, through the health table."""

from __future__ import annotations

from tests.analytics.history import Outcome
from traceiq_app.services.analytics import metrics
from traceiq_app.services.analytics.health import health_table


def test_it_computes_flip_rate_as_changes_over_n_minus_one() -> None:
    assert metrics.flip_rate(["passed"] * 10) == 0.0
    # P F P F P P P P P P: 4 changes over 9 gaps
    assert metrics.flip_rate(["passed", "failed", "passed", "failed"] + ["passed"] * 6) == 4 / 9
    # a flaky result passed (on retry): no flip between passed and flaky
    assert metrics.flip_rate(["passed", "flaky", "passed"]) == 0.0
    # skipped/cancelled results are not outcomes
    assert metrics.flip_rate(["passed", "skipped", "passed"]) == 0.0
    assert metrics.flip_rate(["failed"]) == 0.0


def test_it_flags_a_duration_regression_only_with_enough_runs() -> None:
    before, recent = [1000] * 30, [1400] * 10
    assert metrics.slowing_down(before + recent)  # 1400 > 1.3 x 1000
    assert not metrics.slowing_down(before + [1300] * 10)  # exactly 1.3x is not above it
    assert not metrics.slowing_down([1000] * 4 + [5000] * 10)  # fewer than 5 runs before
    assert not metrics.slowing_down([1000] * 30 + [5000] * 4)  # fewer than 5 recent runs
    assert metrics.slowing_down([1000] * 5 + [2000] * 10)  # 5 before is enough
    assert metrics.percentile([1, 2, 3, 4], 0.5) == 2.5 and metrics.percentile([], 0.5) is None


def test_it_reports_each_tests_health_over_its_last_window(history) -> None:  # type: ignore[no-untyped-def]
    flips = ["passed", "failed"] * 3 + ["passed"] * 4  # P F P F P F P P P P: 6 flips / 9
    for i, status in enumerate(flips):
        history.run({
            "Checkout": Outcome(status, duration_ms=1000 + i, error="boom" if status == "failed" else None),
            "Search": Outcome("flaky" if i in (2, 7) else "passed", duration_ms=500),
        })
    # 12 older passing results of Checkout outside the window do not count
    rows = {r["name"]: r for r in health_table(history.p.project.id, window=10)}
    checkout, search = rows["Checkout"], rows["Search"]
    assert checkout["runs"] == 10
    assert checkout["pass_rate"] == 0.7 and checkout["flip_rate"] == round(6 / 9, 4)
    assert checkout["health"] == round(0.7 * (1 - 6 / 9), 4)
    assert checkout["flaky_on_retry_rate"] == 0.0
    assert checkout["last_failure"]["error"] == "boom"
    assert checkout["median_ms"] == 1004 and checkout["sparkline"] == [1000 + i for i in range(10)]
    assert search["flaky_on_retry_rate"] == 0.2 and search["flip_rate"] == 0.0 and search["pass_rate"] == 1.0
    assert search["last_failure"] is None and search["health"] == 1.0
    flaky_only = {r["name"] for r in health_table(history.p.project.id, view="flaky")}
    assert flaky_only == {"Checkout", "Search"}
    # window=4: the last four results P P P P
    short = {r["name"]: r for r in health_table(history.p.project.id, window=4)}
    assert short["Checkout"]["flip_rate"] == 0.0 and short["Checkout"]["pass_rate"] == 1.0


def test_it_shows_slowing_down_tests(history) -> None:  # type: ignore[no-untyped-def]
    for i in range(15):
        history.run({"Report": Outcome("passed", duration_ms=1000 if i < 5 else 2000),
                     "Login": Outcome("passed", duration_ms=1000)})
    slowing = health_table(history.p.project.id, view="slowing")
    assert [r["name"] for r in slowing] == ["Report"] and slowing[0]["slowing_down"] is True
    ordered = [r["name"] for r in health_table(history.p.project.id, sort="median_ms", descending=True)]
    assert ordered == ["Report", "Login"]
