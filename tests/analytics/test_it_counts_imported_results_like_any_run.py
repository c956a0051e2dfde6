"""Results uploaded from other runners (JUnit XML here) become facts like native runs: they show
in the health table, the clusters and the trends."""

from __future__ import annotations

from tests.runs.results_support import DATA, token_for, upload
from traceiq_app.services.analytics.clusters import clusters
from traceiq_app.services.analytics.health import health_table
from traceiq_app.services.analytics.trends import trends


def test_it_turns_an_imported_junit_report_into_facts(personas) -> None:  # type: ignore[no-untyped-def]
    token = token_for(personas)
    for _ in range(2):
        response = upload(personas.project.slug, ("junit.xml", (DATA / "pytest_style.xml").read_bytes()),
                          token=token, data={"branch": "main"})
        assert response.status_code == 201, response.text
    rows = {r["name"]: r for r in health_table(personas.project.id)}
    assert rows["test_signs_in"]["runs"] == 2 and rows["test_signs_in"]["pass_rate"] == 1.0
    assert rows["test_rejects_bad_password"]["pass_rate"] == 0.0
    assert "Welcome" in rows["test_rejects_bad_password"]["last_failure"]["error"]
    found = clusters(personas.project.id)
    assert sorted(c["category"] for c in found) == ["assertion", "other"] and all(c["count"] == 2 for c in found)
    series = trends(personas.project.id, bucket="run")
    assert len(series["x"]) == 2 and series["results"]["failed"] == [1, 1]
