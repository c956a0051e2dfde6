"""Rules: event types, filters by suite, tag, branch, environment and trigger, and "only when
the outcome changed"; bad input is refused with the field and the problem."""

from __future__ import annotations

import uuid

import pytest

from traceiq_app.models import NotificationRule
from traceiq_app.services.notifications import channels, publish

SUITE = str(uuid.uuid4())
ENV = str(uuid.uuid4())


def _rule(**kw):  # type: ignore[no-untyped-def]
    base = {"project_id": uuid.uuid4(), "channel_id": uuid.uuid4(), "event_types": ["run.failed"], "filters": {}}
    return NotificationRule(**{**base, **kw})


DATA = {"status": "failed", "previous_status": "passed", "suite_ids": [SUITE], "tags": ["smoke", "checkout"],
        "branch": "main", "environment_id": ENV, "trigger": "schedule"}


@pytest.mark.parametrize(("filters", "matches"), [
    ({}, True),
    ({"suite_ids": [SUITE]}, True),
    ({"suite_ids": [str(uuid.uuid4())]}, False),
    ({"tags": ["smoke"]}, True),
    ({"tags": ["nightly"]}, False),
    ({"branches": ["main", "release"]}, True),
    ({"branches": ["dev"]}, False),
    ({"environment_ids": [ENV]}, True),
    ({"triggers": ["ui"]}, False),
    ({"triggers": ["schedule"], "tags": ["checkout"]}, True),
])
def test_it_filters_events(filters, matches) -> None:  # type: ignore[no-untyped-def]
    assert channels.rule_matches(_rule(filters=filters), "run.failed", DATA) is matches


def test_it_matches_only_its_event_types_and_enabled_rules() -> None:
    assert not channels.rule_matches(_rule(), "run.finished", DATA)
    assert not channels.rule_matches(_rule(enabled=False), "run.failed", DATA)


def test_it_sends_only_when_the_outcome_changed() -> None:
    rule = _rule(only_on_change=True, event_types=["run.finished"])
    assert channels.rule_matches(rule, "run.finished", {**DATA, "previous_status": "passed"})
    assert not channels.rule_matches(rule, "run.finished", {**DATA, "previous_status": "failed"})


def test_it_publishes_to_matching_channels_only(notify_db) -> None:  # type: ignore[no-untyped-def]
    a = channels.create_channel(notify_db.id, "webhook", "a", url="https://a.example/hook").channel
    b = channels.create_channel(notify_db.id, "webhook", "b", url="https://b.example/hook").channel
    channels.create_rule(notify_db.id, a.id, ["run.failed"], filters={"branches": "main"})
    channels.create_rule(notify_db.id, b.id, ["run.failed"], filters={"branches": "dev"}, only_on_change=True)
    assert len(publish(notify_db.id, "run.failed", DATA)) == 1
    assert publish(notify_db.id, "run.recovered", DATA) == []


def test_it_accepts_the_analytics_event(notify_db) -> None:  # type: ignore[no-untyped-def]
    a = channels.create_channel(notify_db.id, "webhook", "a", url="https://a.example/hook").channel
    channels.create_rule(notify_db.id, a.id, ["test.flaky_detected"])
    assert len(publish(notify_db.id, "test.flaky_detected", {"test_name": "checkout", "flake_rate": 0.3})) == 1
    with pytest.raises(ValueError, match="unknown event type"):
        publish(notify_db.id, "run.exploded", {})


@pytest.mark.parametrize(("call", "field", "problem"), [
    (lambda p, c: channels.create_channel(p, "webhook", "", url="https://x.example"), "name", "enter a name"),
    (lambda p, c: channels.create_channel(p, "pager", "x"), "kind", "choose one of"),
    (lambda p, c: channels.create_channel(p, "slack", "x", url="http://hooks.slack.example/x"), "url", "https://"),
    (lambda p, c: channels.create_channel(p, "email", "x", emails="alice@acme.test, nope"), "emails",
     "not an e-mail address: nope"),
    (lambda p, c: channels.create_channel(p, "email", "x", emails=" "), "emails", "at least one"),
    (lambda p, c: channels.create_rule(p, c, []), "event_types", "at least one event"),
    (lambda p, c: channels.create_rule(p, c, ["run.exploded"]), "event_types", "unknown event"),
    (lambda p, c: channels.create_rule(p, c, ["run.failed"], filters={"colour": ["red"]}), "filters", "unknown filter"),
    (lambda p, c: channels.create_rule(p, c, ["run.failed"], filters={"suite_ids": "abc"}), "suite_ids", "not an id"),
])
def test_it_refuses_bad_input_with_the_field(notify_db, call, field, problem) -> None:  # type: ignore[no-untyped-def]
    channel = channels.create_channel(notify_db.id, "webhook", "ok", url="https://ok.example/hook").channel
    with pytest.raises(channels.ChannelError, match=problem) as caught:
        call(notify_db.id, channel.id)
    assert caught.value.field == field
    assert len(channels.list_channels(notify_db.id)) == 1 and channels.list_rules(notify_db.id) == []


def test_it_keeps_channel_secrets_encrypted(notify_db) -> None:  # type: ignore[no-untyped-def]
    created = channels.create_channel(notify_db.id, "slack", "team", url="https://hooks.slack.example/T0/B0/secretpart")
    stored = channels.get_channel(notify_db.id, created.channel.id)
    assert "secretpart" not in (stored.config_encrypted or "") and "secretpart" not in stored.target_hint
    assert channels.channel_config(stored)["url"].endswith("secretpart")


def test_it_shows_rule_filters_by_name(notify_db) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from tests.factories import make_environment, make_suite
    from traceiq_app.db import get_engine
    from traceiq_app.services.notifications import views

    with Session(get_engine(), expire_on_commit=False) as s:
        suite, env = make_suite(s, notify_db, "Checkout"), make_environment(s, notify_db, "staging")
        s.commit()
    hook = channels.create_channel(notify_db.id, "webhook", "a", url="https://a.example/hook").channel
    channels.create_rule(notify_db.id, hook.id, ["run.failed", "run.recovered"], only_on_change=True,
                         filters={"suite_ids": str(suite.id), "environment_ids": str(env.id), "branches": "main"})
    [row] = views.rule_rows(notify_db.id)
    assert row["events"] == "run.failed, run.recovered" and row["channel"] == "a" and row["only_on_change"]
    assert row["filters"] == "folder: Checkout; environment: staging; branch: main"
