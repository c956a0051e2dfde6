"""When a run's results make a test cross the project's flakiness threshold (analytics), the
project's "test.flaky_detected" rules are notified once, after the run's results are committed."""

from __future__ import annotations

from sqlmodel import Session

from tests.factories import make_run, make_test_case, make_test_result
from tests.notifications.conftest import drain
from traceiq_app.db import get_engine
from traceiq_app.models import RunStatus, TestResultStatus, utcnow
from traceiq_app.services.notifications import channels, deliveries
from traceiq_app.services.runs import results


def _run_once(project, case_id, outcome) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        from traceiq_app.models import TestCase

        case = s.get(TestCase, case_id)
        run = make_run(s, project, status=RunStatus.running, started_at=utcnow())
        tr = make_test_result(s, run, case, status=TestResultStatus.running, started_at=utcnow())
        s.commit()
        tr_id = tr.id
    error = None if outcome == TestResultStatus.passed else "expected 3 items, got 2"
    results.finish_attempt(tr_id, outcome, error=error, failed_step=0 if error else None, retryable=False)


def test_it_publishes_flaky_detected_once(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = channels.create_channel(notify_db.id, "webhook", "flaky", url=receiver.url)
    receiver.secret = hook.secret
    channels.create_rule(notify_db.id, hook.channel.id, ["test.flaky_detected"])
    with Session(get_engine(), expire_on_commit=False) as s:
        case = make_test_case(s, notify_db, "Checkout wobbles")
        s.commit()
        case_id = case.id
    for outcome in [TestResultStatus.passed, TestResultStatus.failed] * 4:
        _run_once(notify_db, case_id, outcome)
    flaky = [d for d in deliveries.list_deliveries(notify_db.id) if d["event_type"] == "test.flaky_detected"]
    assert len(flaky) == 1  # it became flaky once; staying flaky is not news
    drain()
    [body] = [r.json() for r in receiver.received]
    assert body["type"] == "test.flaky_detected"
    assert body["data"]["test_name"] == "Checkout wobbles" and body["data"]["flip_rate"] > 0.5
    assert all(r.signature_ok for r in receiver.received)
