"""A quarantined test still runs and is shown, but its failure does not fail the run (so the
CLI exits 0, it follows the run's status) and JUnit reports it as skipped with the reason."""

from __future__ import annotations

from datetime import timedelta

from tests.support.webapp import principal_of
from traceiq_app.models import utcnow
from traceiq_app.services.analytics import quarantine
from traceiq_app.services.analytics.quarantine import QuarantineIn
from traceiq_app.services.runs.reports import junit_xml, run_report


def test_it_forgives_only_quarantined_failures(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    flaky = history.case("Flaky")
    before = history.run({"Flaky": "failed", "Stable": "passed"})
    assert before.status == "failed"
    quarantine.create(p.project.id, principal_of(p.bob), QuarantineIn(
        str(flaky.id), flaky.name, "known flaky: JIRA-12", None, utcnow() + timedelta(days=7)))
    run = history.run({"Flaky": "failed", "Stable": "passed"})
    assert run.status == "passed" and run.failed == 1  # still counted and shown
    report = run_report(run.id)
    assert report is not None and {t["name"]: t["status"] for t in report["tests"]}["Flaky"] == "failed"
    xml = junit_xml(run.id) or ""
    assert "<skipped" in xml and "quarantined: known flaky: JIRA-12" in xml and "<failure" not in xml
    # a non-quarantined failure still fails the run
    other = history.run({"Flaky": "failed", "Stable": "failed"})
    assert other.status == "failed"
    assert "<failure" in (junit_xml(other.id) or "")
    # once lifted, the failure fails the run again
    quarantine.lift(p.project.id, principal_of(p.alice), str(flaky.id))
    assert history.run({"Flaky": "failed", "Stable": "passed"}).status == "failed"
