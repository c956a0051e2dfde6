"""Every analytics query (window functions, day buckets, grouping) gives the same answers on
SQLite and Postgres."""

from __future__ import annotations

from tests.analytics.history import Outcome
from traceiq_app.models import utcnow
from traceiq_app.services.analytics.clusters import clusters
from traceiq_app.services.analytics.compare import compare
from traceiq_app.services.analytics.health import health_table
from traceiq_app.services.analytics.trends import trends


def test_it_answers_every_query_on_both_databases(history_any) -> None:  # type: ignore[no-untyped-def]
    h = history_any
    for status in ["passed", "failed", "passed", "flaky"]:
        last = h.run({"A": Outcome(status, error="Timeout 1000ms exceeded" if status == "failed" else None),
                      "B": Outcome("failed", error=f"expected 'x{len(status)}' got 'y'")})
    rows = {r["name"]: r for r in health_table(h.p.project.id)}
    assert rows["A"]["flip_rate"] == round(2 / 3, 4) and rows["A"]["pass_rate"] == 0.75
    assert rows["A"]["flaky_on_retry_rate"] == 0.25 and rows["B"]["pass_rate"] == 0.0
    day = trends(h.p.project.id)
    assert day["x"] == [utcnow().date().isoformat()] and day["results"]["failed"] == [5]
    assert trends(h.p.project.id, bucket="run")["pass_rate"] == [0.5, 0.0, 0.5, 0.5]
    assert sorted(c["count"] for c in clusters(h.p.project.id)) == [1, 4]
    out = compare(last.id)
    assert out is not None and [t["name"] for t in out["newly_flaky"]] == ["A"]
