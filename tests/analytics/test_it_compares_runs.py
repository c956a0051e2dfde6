"""A run against its baseline (previous finished run of the same selection and branch, or one
picked): new failures, fixed, still failing, newly flaky, added, removed, slower, faster."""

from __future__ import annotations

import pytest

from tests.analytics.history import Outcome
from traceiq_app.services.analytics.compare import CompareError, compare


def test_it_sorts_tests_into_the_comparison_categories(history) -> None:  # type: ignore[no-untyped-def]
    history.run({"A": "passed"}, branch="other")  # another branch: never the baseline
    base = history.run({"Breaks": "passed", "Heals": "failed", "Still": "failed", "Flakes": "passed",
                        "Goes": "passed", "Slows": Outcome("passed", 1000), "Speeds": Outcome("passed", 3000),
                        "Same": Outcome("passed", 1000)})
    run = history.run({"Breaks": "failed", "Heals": "passed", "Still": "error", "Flakes": "flaky",
                       "Comes": "passed", "Slows": Outcome("passed", 2000), "Speeds": Outcome("passed", 1000),
                       "Same": Outcome("passed", 1200)})
    out = compare(run.id)
    assert out is not None and out["baseline_id"] == str(base.id) and not out["baseline_picked"]
    names = {k: [t["name"] for t in out[k]] for k in ("new_failures", "fixed", "still_failing", "newly_flaky",
                                                       "added", "removed", "slower", "faster")}
    assert names == {"new_failures": ["Breaks"], "fixed": ["Heals"], "still_failing": ["Still"],
                     "newly_flaky": ["Flakes"], "added": ["Comes"], "removed": ["Goes"], "slower": ["Slows"],
                     "faster": ["Speeds"]}
    assert out["fixed"][0]["baseline_status"] == "failed"


def test_it_compares_with_a_picked_baseline_or_none(history) -> None:  # type: ignore[no-untyped-def]
    first = history.run({"A": "failed"}, branch="dev")
    history.run({"A": "failed"}, branch="dev")
    run = history.run({"A": "passed"}, branch="dev")
    picked = compare(run.id, first.id)
    assert picked is not None and picked["baseline_picked"] and [t["name"] for t in picked["fixed"]] == ["A"]
    lonely = history.run({"A": "passed"}, branch="lonely")
    assert compare(lonely.id) == {"run_id": str(lonely.id), "baseline_id": None, "baseline_picked": False,
                                  **{k: [] for k in ("new_failures", "fixed", "still_failing", "newly_flaky",
                                                     "added", "removed", "slower", "faster")}}
    with pytest.raises(CompareError) as err:
        compare(run.id, run.id)
    assert err.value.field == "baseline"
    other = history.run({"B": "passed"}, project=history.p.globex_project)
    with pytest.raises(CompareError):
        compare(run.id, other.id)
