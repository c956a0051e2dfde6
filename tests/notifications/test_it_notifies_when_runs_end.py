"""When the last test of a run ends (`finish_attempt`, as on a worker) or a run is cancelled,
run.finished / run.failed / run.recovered are published with the run's summary; rules "only
when the outcome changed" skip repeats; e-mail (real SMTP server), Slack and Teams (real HTTP
receiver) get their own formats."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from tests.factories import make_run, make_suite, make_test_case, make_test_result
from tests.notifications.conftest import drain
from traceiq_app.db import get_engine
from traceiq_app.models import RunStatus, TestResultStatus, utcnow
from traceiq_app.services.notifications import channels, deliveries, formats
from traceiq_app.services.runs import control, results


def _finish_run(project, outcomes, branch="main"):  # type: ignore[no-untyped-def]
    """A running run with one running test per outcome; ends each like a worker would."""
    with Session(get_engine(), expire_on_commit=False) as s:
        suite = make_suite(s, project, "Checkout")
        run = make_run(s, project, status=RunStatus.running, branch=branch, commit_sha="abc123def4567",
                       started_at=utcnow())
        ids = []
        for i, _ in enumerate(outcomes):
            case = make_test_case(s, project, f"checkout step {i} " + uuid.uuid4().hex[:4], suite=suite, tags=["smoke"])
            ids.append(make_test_result(s, run, case, status=TestResultStatus.running, started_at=utcnow()).id)
        s.commit()
    for tr_id, outcome in zip(ids, outcomes, strict=True):
        error = None if outcome == TestResultStatus.passed else f"expected 3 items, got 2\n  at step {tr_id}"
        results.finish_attempt(tr_id, outcome, error=error, failed_step=2 if error else None, retryable=False)
    return run.id


def _events(project_id):  # type: ignore[no-untyped-def]
    return sorted((d["event_type"], d["channel"]) for d in deliveries.list_deliveries(project_id, limit=500))


def test_it_publishes_failed_then_recovered(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = channels.create_channel(notify_db.id, "webhook", "all", url=receiver.url)
    receiver.secret = hook.secret
    channels.create_rule(notify_db.id, hook.channel.id, ["run.finished", "run.failed", "run.recovered"])

    failed_run = _finish_run(notify_db, [TestResultStatus.passed, TestResultStatus.failed])
    assert _events(notify_db.id) == [("run.failed", "all"), ("run.finished", "all")]
    drain()
    body = next(r.json() for r in receiver.received if r.json()["type"] == "run.failed")
    data = body["data"]
    assert data["run_id"] == str(failed_run) and data["status"] == "failed" and data["previous_status"] is None
    assert data["totals"] == {"total": 2, "passed": 1, "failed": 1, "flaky": 0, "errors": 0, "skipped": 0}
    assert data["branch"] == "main" and data["commit"] == "abc123def4567" and data["tags"] == ["smoke"]
    assert data["url"] == f"http://traceiq.test/runs/{failed_run}"
    [failure] = data["failing_tests"]
    assert failure["error"].startswith("expected 3 items") and failure["failed_step"] == 2
    assert all(r.signature_ok for r in receiver.received)

    _finish_run(notify_db, [TestResultStatus.passed])
    recovered = [d for d in deliveries.list_deliveries(notify_db.id) if d["event_type"] == "run.recovered"]
    assert len(recovered) == 1


def test_it_skips_unchanged_outcomes_when_asked(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = channels.create_channel(notify_db.id, "webhook", "changes", url=receiver.url)
    channels.create_rule(notify_db.id, hook.channel.id, ["run.finished"], only_on_change=True)
    for outcome in (TestResultStatus.failed, TestResultStatus.failed, TestResultStatus.passed, TestResultStatus.passed):
        _finish_run(notify_db, [outcome])
    drain()
    statuses = [r.json()["data"]["status"] for r in receiver.received]
    assert statuses == ["failed", "passed"]  # the first run, then the change; repeats skipped


def test_it_notifies_a_cancelled_run(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = channels.create_channel(notify_db.id, "webhook", "all", url=receiver.url)
    channels.create_rule(notify_db.id, hook.channel.id, ["run.finished", "run.failed"])
    with Session(get_engine(), expire_on_commit=False) as s:
        run = make_run(s, notify_db, status=RunStatus.running, started_at=utcnow())
        make_test_result(s, run, make_test_case(s, notify_db, "slow"), status=TestResultStatus.running)
        s.commit()
    control.cancel_run(run.id)
    control.cancel_run(run.id)  # idempotent: nothing published twice
    assert _events(notify_db.id) == [("run.finished", "all")]


def test_it_mails_a_summary_in_text_and_html(notify_db, inbox) -> None:  # type: ignore[no-untyped-def]
    from tests.support.processes import wait_until

    mail = channels.create_channel(notify_db.id, "email", "QA team", emails="qa@acme.test; lead@acme.test")
    channels.create_rule(notify_db.id, mail.channel.id, ["run.failed"])
    run_id = _finish_run(notify_db, [TestResultStatus.failed, TestResultStatus.passed])
    drain()
    wait_until(lambda: len(inbox.messages) == 2, 10, what="two mails")
    message = inbox.messages[0]
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(message["Subject"]))) == "[TraceIQ] Run failed · Web shop · Run " + str(run_id)[-8:]
    assert sorted(m["To"] for m in inbox.messages) == ["lead@acme.test", "qa@acme.test"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
             if not p.is_multipart()}
    text, html = parts["text/plain"], parts["text/html"]
    for body in (text, html):
        assert "expected 3 items, got 2" in body and f"http://traceiq.test/runs/{run_id}" in body
        assert "1 failed" in body and "Branch: main" in body and "abc123def456" in body
    assert "at step" not in text  # only the first line of the error
    assert "<li><b>checkout step 0" in html
    [row] = deliveries.list_deliveries(notify_db.id)
    assert row["status"] == "succeeded"


def test_it_formats_slack_within_its_limits(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    many = [{"name": f"test {i} " + "x" * 80, "browser": "chromium", "error": "E" * 400} for i in range(400)]
    message = formats.slack("run.failed", {"project_name": "Web shop", "status": "failed", "failing_tests": many,
                                           "url": "http://traceiq.test/runs/1"})
    assert len(message["blocks"]) <= 50
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in sections)
    assert sections[-1].startswith("…and ") and sections[-1].endswith(" more")
    shown = sum(t.count("• ") for t in sections)
    assert sections[-1] == f"…and {400 - shown} more"

    slack = channels.create_channel(notify_db.id, "slack", "Slack", url="https://hooks.slack.example/T/B/x")
    assert slack.secret is None  # Slack and Teams are not signed: their URL is the secret
    with pytest.raises(channels.ChannelError, match="https://"):
        channels.create_channel(notify_db.id, "teams", "Teams", url=receiver.url)


def test_it_posts_slack_and_teams_messages(notify_db, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Slack and Teams URLs must be https: the loopback receiver is plain http, so the channels are
    # stored through the service with an https URL and pointed at the receiver's port afterwards.
    from traceiq_app.models import NotificationChannel
    from traceiq_app.services.notifications.channels import _encrypt

    made = []
    for kind in ("slack", "teams"):
        created = channels.create_channel(notify_db.id, kind, kind, url="https://hooks.example/T/B/x")
        with Session(get_engine()) as s:
            row = s.get(NotificationChannel, created.channel.id)
            assert row is not None
            row.config_encrypted = _encrypt({"url": receiver.url + "/" + kind})
            s.add(row)
            s.commit()
        channels.create_rule(notify_db.id, created.channel.id, ["run.failed"])
        made.append(created.channel)
    _finish_run(notify_db, [TestResultStatus.failed])
    drain()
    by_path = {r.path: r.json() for r in receiver.received}
    slack, teams = by_path["/hook/slack"], by_path["/hook/teams"]
    assert slack["blocks"][0]["type"] == "header" and "Run failed" in slack["text"]
    assert any("expected 3 items" in b.get("text", {}).get("text", "") for b in slack["blocks"])
    card = teams["attachments"][0]
    assert teams["type"] == "message" and card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert card["content"]["actions"][0]["url"].startswith("http://traceiq.test/runs/")
    assert "webhook-signature" not in receiver.received[0].headers  # only generic webhooks are signed
