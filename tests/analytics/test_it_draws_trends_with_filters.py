"""The series behind the charts: per day and per run, with a moving average, run durations,
outcomes, flaky counts and breakdowns; every filter applies to every series."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from tests.factories import make_environment, make_suite
from traceiq_app.db import get_engine
from traceiq_app.models import TestCase, utcnow
from traceiq_app.services.analytics.filters import FilterError, resolve
from traceiq_app.services.analytics.trends import trends


def test_it_builds_daily_and_per_run_series(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    with Session(get_engine(), expire_on_commit=False) as s:
        staging = make_environment(s, p.project, "staging")
        suite = make_suite(s, p.project, "Checkout")
        s.commit()
    history.case("Pay")
    with Session(get_engine()) as s:
        case = s.get(TestCase, history.cases["Pay"].id)
        assert case is not None
        case.suite_id, case.tags = suite.id, ["smoke"]
        s.add(case)
        s.commit()
    history.run({"Pay": "passed", "Browse": "failed"}, environment_id=staging.id)
    history.run({"Pay": "flaky", "Browse": "passed"}, branch="feature")
    everything = trends(p.project.id)
    today = utcnow().date().isoformat()
    assert everything["x"] == [today]
    assert everything["results"] == {"passed": [2], "flaky": [1], "failed": [1], "error": [0]}
    assert everything["pass_rate"] == [0.75] and everything["pass_rate_avg"] == [0.75]
    assert everything["flaky_tests"] == [1] and sum(everything["runs"]["failed"]) == 1
    assert everything["duration_p50"][0] is not None
    env = everything["breakdowns"]["environment"]
    assert env["labels"] == ["(none)", "staging"] and env["failed"] == [0, 1]
    assert everything["breakdowns"]["branch"]["labels"] == ["feature", "main"]

    per_run = trends(p.project.id, bucket="run")
    assert len(per_run["x"]) == 2 and per_run["pass_rate"] == [0.5, 1.0]

    only_feature = trends(p.project.id, resolve(p.project.id, branch="feature"))
    assert only_feature["results"]["failed"] == [0] and only_feature["flaky_tests"] == [1]
    smoke = trends(p.project.id, resolve(p.project.id, tag="smoke"))
    assert smoke["results"]["passed"] == [1] and smoke["results"]["flaky"] == [1]
    in_suite = trends(p.project.id, resolve(p.project.id, suite="Checkout"))
    assert in_suite["results"] == smoke["results"]
    on_staging = trends(p.project.id, resolve(p.project.id, environment="staging"), bucket="run")
    assert len(on_staging["x"]) == 1 and on_staging["pass_rate"] == [0.5]
    future = trends(p.project.id, resolve(p.project.id, since=utcnow() + timedelta(days=1)))
    assert future["x"] == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"suite": "Nope"}, "suite"), ({"environment": "prod"}, "environment"),
    ({"since": "later", "until": "earlier"}, "until")])
def test_it_refuses_bad_filters(history, kwargs: dict[str, str], field: str) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    if "since" in kwargs:
        kwargs = {"since": now, "until": now - timedelta(days=1)}  # type: ignore[dict-item]
    with pytest.raises(FilterError) as err:
        resolve(history.p.project.id, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_it_keeps_the_daily_rollup_equal_to_the_facts(history_any) -> None:  # type: ignore[no-untyped-def]
    """The daily series come from `result_daily`; rewriting a run's facts (record_run twice, a
    rebuild) never double counts, and every filter gives what the facts give (a tag filter too:
    the rollup keeps a row per tag)."""
    from traceiq_app.db import session_scope
    from traceiq_app.models import Run
    from traceiq_app.services.analytics import daily, facts

    h = history_any
    h.case("A", tags=["smoke", "login"])
    runs = [h.run({"A": "passed", "B": "failed"}, branch="main"), h.run({"A": "flaky", "B": "passed"}, branch="dev")]
    with session_scope() as s:
        run = s.get(Run, runs[0].id)
        assert run is not None
        facts.record_run(s, run)  # again: replaces its facts and takes back their counts
    pid = h.p.project.id
    for flt in (None, resolve(pid, branch="dev"), resolve(pid, since=utcnow() - timedelta(days=1)),
                resolve(pid, tag="smoke"), resolve(pid, tag="login", branch="dev"), resolve(pid, tag="nope")):
        via_rollup, via_facts = trends(pid, flt), trends(pid, flt, use_rollup=False)
        assert via_rollup["results"] == via_facts["results"] and via_rollup["breakdowns"] == via_facts["breakdowns"]
    assert trends(pid)["results"]["passed"] == [2]
    assert trends(pid, resolve(pid, tag="smoke"))["results"] == {"passed": [1], "flaky": [1], "failed": [0],
                                                                 "error": [0]}
    with session_scope() as s:
        assert daily.rebuild(s, pid) >= 3
    assert trends(pid)["results"] == trends(pid, use_rollup=False)["results"]
    tagged = resolve(pid, tag="smoke")
    assert trends(pid, tagged)["results"] == trends(pid, tagged, use_rollup=False)["results"]


def test_it_computes_run_duration_percentiles_in_the_database(history_any) -> None:  # type: ignore[no-untyped-def]
    """p50/p95 of the runs' durations per day, aggregated in SQL, equal the interpolated
    percentiles of every run's duration (odd and even counts)."""
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import Run
    from traceiq_app.services.analytics import metrics

    h = history_any
    pid = h.p.project.id
    durations = [700, 100, 5300, 2400, 900]
    runs = [h.run({"A": "passed"}) for _ in durations]
    with session_scope() as s:
        for run, ms in zip(runs, durations, strict=True):
            row = s.get(Run, run.id)
            assert row is not None
            row.duration_ms = ms
            s.add(row)
    for n in (5, 4):
        if n == 4:
            with session_scope() as s:
                last = s.get(Run, runs[-1].id)
                assert last is not None
                last.duration_ms = None
                s.add(last)
        with session_scope() as s:
            got = [r.duration_ms for r in s.exec(select(Run).where(Run.project_id == pid)).all()]
        series = trends(pid)
        assert series["duration_p50"] == [metrics.percentile([d for d in got if d is not None], 0.5)]
        assert series["duration_p95"] == [metrics.percentile([d for d in got if d is not None], 0.95)]
        assert sum(series["runs"]["passed"]) == 5
