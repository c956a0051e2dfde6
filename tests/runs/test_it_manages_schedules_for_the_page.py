"""The Schedules page's services: rows in words with next fire times and the last run; saving
validates each field with a clear message and changes nothing on error; every change is
audited; "Run now" starts a run whose trigger is the schedule."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import make_user
from tests.runs.conftest import quick_steps
from traceiq_app.models import AuditLog, RunTrigger, Schedule
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import schedule_views, schedules


@pytest.fixture
def alice(stack):  # type: ignore[no-untyped-def]
    with stack.session() as s:
        user = make_user(s, "alice@acme.test")
        s.commit()
        return Principal(user_id=user.id, email=user.email)


def _audit(stack):  # type: ignore[no-untyped-def]
    with stack.session() as s:
        return [a.action for a in s.exec(select(AuditLog).order_by(AuditLog.id)).all()]


def test_it_lists_saves_audits_and_runs_now(stack, site_url, alice) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps(), tags=["smoke"])
    schedule = schedule_views.save(alice, project.id, None, name="Weekday smoke", cron="0 6 * * 1-5",
                                   timezone="Europe/Berlin", selection={"tags": ["smoke"]}, browsers=["chromium"],
                                   retries=1)
    [row] = schedule_views.rows(project.id)
    assert row["words"] == "At 06:00, Monday through Friday (Europe/Berlin)"
    assert row["target"] == "tags: smoke · no environment · chromium · 1 retries"
    assert row["enabled"] == "1" and row["next"].endswith("CET") and row["last_at"] == "never run"

    run_id = schedule_views.run_now(alice, project.id, schedule.id)
    run = stack.run(run_id)
    assert run.trigger == RunTrigger.schedule and run.schedule_id == schedule.id and run.retries == 1
    [row] = schedule_views.rows(project.id)
    assert row["last_run_id"] == str(run_id) and row["last_status"] in ("queued", "running", "passed")

    schedule_views.set_enabled(alice, project.id, schedule.id, False)
    assert schedule_views.rows(project.id)[0]["next"] == "paused"
    schedule_views.save(alice, project.id, schedule.id, name="Renamed", cron="30 7 * * *", timezone="UTC")
    assert schedule_views.rows(project.id)[0]["name"] == "Renamed"
    schedule_views.delete(alice, project.id, schedule.id)
    assert schedule_views.rows(project.id) == []
    assert _audit(stack) == ["schedule.create", "schedule.pause", "schedule.update", "schedule.delete"]


@pytest.mark.parametrize(("fields", "problem"), [
    ({"name": " ", "cron": "0 6 * * *"}, "enter a name"),
    ({"name": "x", "cron": "0 25 * * *"}, "invalid cron expression"),
    ({"name": "x", "cron": "0 6 * * *", "timezone": "Berlin"}, "unknown time zone 'Berlin'"),
    ({"name": "x", "cron": "0 6 * * *", "browsers": ["netscape"]}, "unknown browser"),
    ({"name": "x", "cron": "0 6 * * *", "retries": 9}, "retries must be between 0 and 5"),
])
def test_it_refuses_bad_fields_and_keeps_nothing(stack, site_url, alice, fields, problem) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.state.runs.schedules import field_of

    project = stack.project(site_url)
    with pytest.raises(schedules.ScheduleError, match=problem) as caught:
        schedule_views.save(alice, project.id, None, **fields)
    assert field_of(str(caught.value)) in {"name", "cron", "timezone", "browsers", "retries"}
    with stack.session() as s:
        assert s.exec(select(Schedule)).all() == []
    assert _audit(stack) == []


def test_it_refuses_a_schedule_of_another_project(stack, site_url, alice) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = stack.project(site_url), stack.project(site_url)
    schedule = schedules.create_schedule(theirs.id, "Theirs", "0 6 * * *")
    for call in (lambda: schedule_views.delete(alice, mine.id, schedule.id),
                 lambda: schedule_views.set_enabled(alice, mine.id, schedule.id, False),
                 lambda: schedule_views.run_now(alice, mine.id, schedule.id)):
        with pytest.raises(schedules.ScheduleError, match="schedule not found"):
            call()
    assert schedules.get_schedule(schedule.id) is not None
