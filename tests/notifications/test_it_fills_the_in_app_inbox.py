"""The bell's inbox: project members and the org's owners/admins get one row per event they
want (defaults: run.failed, run.recovered, schedule.missed; each user chooses per project),
outsiders get nothing, a repeated event adds nothing, and each user reads only their own rows."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.factories import add_org_member, add_project_member, make_org, make_user
from traceiq_app.db import get_engine
from traceiq_app.models import OrgRole, ProjectRole
from traceiq_app.services.notifications import channels, inbox, publish


@pytest.fixture
def people(notify_db):  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        from traceiq_app.models import Organization

        acme = s.get(Organization, notify_db.org_id)
        alice = make_user(s, "alice@acme.test")
        add_org_member(s, acme, alice, OrgRole.owner)
        bob = make_user(s, "bob@acme.test")
        add_org_member(s, acme, bob, OrgRole.member)
        add_project_member(s, notify_db, bob, ProjectRole.editor)
        erin = make_user(s, "erin@acme.test")  # in the org, not in the project
        add_org_member(s, acme, erin, OrgRole.member)
        charlie = make_user(s, "charlie@globex.test")
        add_org_member(s, make_org(s, "Globex"), charlie, OrgRole.owner)
        s.commit()
    return {"alice": alice.id, "bob": bob.id, "erin": erin.id, "charlie": charlie.id}


def test_it_notifies_members_once_per_event(notify_db, people) -> None:  # type: ignore[no-untyped-def]
    data = {"status": "failed", "project_name": "Web shop", "run_title": "Run 1",
            "url": "http://traceiq.test/runs/abc", "totals": {"total": 1, "failed": 1}}
    publish(notify_db.id, "run.failed", data, event_id="e1")
    publish(notify_db.id, "run.failed", data, event_id="e1")
    publish(notify_db.id, "run.finished", {**data, "status": "failed"}, event_id="e2")  # not a default
    counts = {name: inbox.unread_count(uid) for name, uid in people.items()}
    assert counts == {"alice": 1, "bob": 1, "erin": 0, "charlie": 0}
    [item] = inbox.recent(people["bob"])
    assert item["title"] == "Run failed · Web shop · Run 1" and item["url"] == "/runs/abc" and item["unread"]
    assert "1 failed" in item["body"]

    assert inbox.mark_all_read(people["bob"]) == 1
    assert inbox.unread_count(people["bob"]) == 0 and inbox.unread_count(people["alice"]) == 1


def test_it_follows_each_users_choice(notify_db, people) -> None:  # type: ignore[no-untyped-def]
    assert inbox.preferences(people["bob"], notify_db.id) == list(inbox.DEFAULT_EVENTS)
    inbox.set_preferences(people["bob"], notify_db.id, ["run.finished"])
    publish(notify_db.id, "run.finished", {"status": "passed"}, event_id="e3")
    publish(notify_db.id, "run.failed", {"status": "failed"}, event_id="e4")
    assert [i["title"] for i in inbox.recent(people["bob"])] == ["Run finished"]
    assert [i["title"] for i in inbox.recent(people["alice"])] == ["Run failed"]
    with pytest.raises(channels.ChannelError, match="unknown event"):
        inbox.set_preferences(people["bob"], notify_db.id, ["run.exploded"])
    assert inbox.preferences(people["bob"], notify_db.id) == ["run.finished"]


def test_test_events_stay_out_of_the_inbox(notify_db, people) -> None:  # type: ignore[no-untyped-def]
    channel = channels.create_channel(notify_db.id, "webhook", "x", url="https://hooks.example/x").channel
    from traceiq_app.services.notifications import deliveries

    deliveries.send_test_event(notify_db.id, channel.id, "Web shop")
    assert inbox.unread_count(people["alice"]) == 0
