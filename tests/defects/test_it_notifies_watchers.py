"""A defect's watchers hear of its status changes, assignment changes and new comments in their
in-app inbox (through notifications' `publish`, like assignments), whatever their in-app
preferences; the actor is not told about what they did; a watcher who lost access hears
nothing; channels get `defect.commented` like the other defect events."""

from __future__ import annotations

from sqlmodel import Session, select

from tests.factories import Personas, add_org_member, add_project_member, make_user
from traceiq_app.db import get_engine
from traceiq_app.models import NotificationDelivery, OrgRole, ProjectMember, ProjectRole
from traceiq_app.services.defects import defects
from traceiq_app.services.notifications import channels, inbox


def _titles(user_id) -> list[str]:  # type: ignore[no-untyped-def]
    return [n["title"] for n in inbox.recent(user_id, limit=50)]


def test_it_tells_every_watcher_but_the_actor(personas: Personas) -> None:
    p = personas
    with Session(get_engine(), expire_on_commit=False) as s:
        vera = make_user(s, "vera@acme.test", display_name="Vera")
        add_org_member(s, p.acme, vera, OrgRole.member)
        add_project_member(s, p.project, vera, ProjectRole.viewer)
        s.commit()
    pid = p.project.id
    # Watchers who chose no defect events in the app still hear of the defects they watch.
    for user in (p.bob, vera):
        inbox.set_preferences(user.id, pid, ["run.failed"])
    defects.create(pid, p.alice.id, {"title": "Search returns nothing"})  # alice reports: she watches
    defects.watch(pid, "DEF-1", vera.id, True)
    defects.watch(pid, "DEF-1", p.bob.id, True)
    assert _titles(vera.id) == []

    defects.update(pid, "DEF-1", p.alice.id, {"assignee_id": str(p.bob.id)})  # assignment + NEW -> ASSIGNED
    vera_now = _titles(vera.id)
    assert sum(t.startswith("Defect assigned · DEF-1 Search returns nothing") for t in vera_now) == 1
    assert sum(t.startswith("Defect status changed") for t in vera_now) == 1
    alice_before = len(_titles(p.alice.id))

    defects.transition(pid, "DEF-1", p.bob.id, "in progress")  # bob acts: vera and alice hear, bob not
    assert sum(t.startswith("Defect status changed") for t in _titles(vera.id)) == 2
    assert len(_titles(p.alice.id)) == alice_before + 1

    defects.comment(pid, "DEF-1", p.bob.id, "Reproduced with an empty index.")
    vera_recent = inbox.recent(vera.id, limit=50)
    comment = [n for n in vera_recent if n["title"].startswith("New comment on a defect")]
    assert len(comment) == 1 and "Bob: Reproduced with an empty index." in comment[0]["body"]
    assert comment[0]["url"] == f"/projects/{pid}/defects/DEF-1"
    assert not any(t.startswith("New comment") for t in _titles(p.bob.id))  # the author is not told
    assert any(t.startswith("New comment") for t in _titles(p.alice.id))  # the reporter watches

    defects.update(pid, "DEF-1", p.alice.id, {"assignee_id": ""})  # unassigned
    assert sum(t.startswith("Defect assigned") for t in _titles(vera.id)) == 2

    # A watcher removed from the project hears nothing more of it.
    with Session(get_engine()) as s:
        member = s.exec(select(ProjectMember).where(ProjectMember.user_id == vera.id)).one()
        s.delete(member)
        s.commit()
    count = len(_titles(vera.id))
    defects.comment(pid, "DEF-1", p.alice.id, "Still there?")
    assert len(_titles(vera.id)) == count
    # charlie (another org) never watches nor hears.
    assert _titles(p.charlie.id) == []


def test_channels_can_receive_comments(personas: Personas) -> None:
    p = personas
    channel = channels.create_channel(p.project.id, "webhook", "Hook", url="https://hooks.example.com/x")
    channels.create_rule(p.project.id, channel.channel.id, ["defect.commented"])
    defects.create(p.project.id, p.alice.id, {"title": "Login slow"})
    defects.comment(p.project.id, "DEF-1", p.bob.id, "Takes 9 s here")
    with Session(get_engine()) as s:
        kinds = [d.event_type for d in s.exec(select(NotificationDelivery)).all()]
    assert kinds == ["defect.commented"]
