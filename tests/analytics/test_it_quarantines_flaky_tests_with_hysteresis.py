"""A test enters the flaky state at the project's upper flip-rate threshold and leaves it only
below the lower one; entering proposes a quarantine (or quarantines at once when the project
enables it); quarantines have an owner, a reason and an expiry, are audited, and expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.support.webapp import principal_of
from traceiq_app.db import get_engine
from traceiq_app.models import AuditLog, FlakyState, utcnow
from traceiq_app.services.analytics import quarantine
from traceiq_app.services.analytics.quarantine import QuarantineError, QuarantineIn


def _state(history, name: str) -> FlakyState | None:  # type: ignore[no-untyped-def]
    key = str(history.case(name).id)
    with Session(get_engine()) as s:
        return s.get(FlakyState, (history.p.project.id, key))


def test_it_enters_and_leaves_the_flaky_state_with_hysteresis(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    quarantine.update_settings(p.project.id, principal_of(p.alice), flaky_enter=0.3, flaky_exit=0.1,
                               auto_quarantine=False, quarantine_days=7)
    for status in ["passed"] * 6 + ["failed", "passed", "failed"]:  # flips 3 / 8 = 0.375 >= 0.3
        history.run({"Cart": status})
    state = _state(history, "Cart")
    assert state is not None and state.flaky
    proposed = quarantine.listing(p.project.id)
    assert [(q["name"], q["state"]) for q in proposed] == [("Cart", "proposed")]
    # 8 passes later the last 10 are P F P P P P P P P P: 2/9 = 0.22, between the thresholds:
    # it stays flaky (hysteresis); 1/9 = 0.11 still does; 0 leaves
    for _ in range(8):
        history.run({"Cart": "passed"})
    state = _state(history, "Cart")
    assert state is not None and state.flaky and state.flip_rate == pytest.approx(2 / 9)
    history.run({"Cart": "passed"})
    state = _state(history, "Cart")
    assert state is not None and state.flaky and state.flip_rate == pytest.approx(1 / 9)
    history.run({"Cart": "passed"})
    state = _state(history, "Cart")
    assert state is not None and not state.flaky and state.flip_rate < 0.1
    assert quarantine.listing(p.project.id) == []  # the proposal ended with the flaky state


def test_it_keeps_the_state_between_the_thresholds(history) -> None:  # type: ignore[no-untyped-def]
    # 2 flips / 9 = 0.22: between exit (0.1) and enter (0.3): never becomes flaky from clean
    for status in ["passed"] * 7 + ["failed", "passed", "passed"]:
        history.run({"Menu": status})
    state = _state(history, "Menu")
    assert state is not None and not state.flaky and 0.1 < state.flip_rate < 0.3


def test_it_quarantines_automatically_when_the_project_enables_it(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    quarantine.update_settings(p.project.id, principal_of(p.alice), flaky_enter=0.3, flaky_exit=0.1,
                               auto_quarantine=True, quarantine_days=3)
    for status in ["failed", "passed"] * 3:
        history.run({"Flappy": status})
    rows = quarantine.listing(p.project.id)
    assert [(q["name"], q["state"], q["automatic"]) for q in rows] == [("Flappy", "active", True)]
    with Session(get_engine()) as s:
        actions = {a.action for a in s.exec(select(AuditLog).where(AuditLog.project_id == p.project.id)).all()}
    assert {"analytics.settings", "quarantine.create"} <= actions


def test_it_creates_lifts_and_expires_quarantines_with_audit(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    case = history.case("Pay")
    now = utcnow()
    q = quarantine.create(p.project.id, principal_of(p.bob), QuarantineIn(
        str(case.id), case.name, "payment sandbox flaky", p.alice.id, now + timedelta(days=1)))
    assert q.owner_user_id == p.alice.id and q.created_by_user_id == p.bob.id
    with Session(get_engine()) as s:
        assert quarantine.active_keys(s, p.project.id) == {str(case.id)}
        # after the expiry it is no longer active, and the maintenance pass ends it (audited)
        assert quarantine.active_keys(s, p.project.id, now + timedelta(days=2)) == set()
    assert quarantine.expire_due(now + timedelta(hours=1)) == 0
    assert quarantine.expire_due(now + timedelta(days=2)) == 1
    assert quarantine.listing(p.project.id) == []
    ended = quarantine.listing(p.project.id, include_ended=True)
    assert ended[0]["end_reason"] == "expired"
    quarantine.create(p.project.id, principal_of(p.bob), QuarantineIn(str(case.id), case.name, "again", None,
                                                                      now + timedelta(days=1)))
    assert quarantine.lift(p.project.id, principal_of(p.alice), str(case.id)) == 1
    with Session(get_engine()) as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(AuditLog.project_id == p.project.id)).all()]
    assert actions.count("quarantine.create") == 2 and "quarantine.expire" in actions and "quarantine.lift" in actions


@pytest.mark.parametrize(("reason", "expires_days", "field"), [
    ("", 1, "reason"), ("x" * 501, 1, "reason"), ("ok", -1, "expires_at"), ("ok", 400, "expires_at")])
def test_it_refuses_bad_quarantines(history, reason: str, expires_days: int, field: str) -> None:  # type: ignore[no-untyped-def]
    case = history.case("Pay")
    with pytest.raises(QuarantineError) as err:
        quarantine.create(history.p.project.id, principal_of(history.p.bob), QuarantineIn(
            str(case.id), case.name, reason, None, utcnow() + timedelta(days=expires_days)))
    assert err.value.field == field
    assert quarantine.listing(history.p.project.id) == []


@pytest.mark.parametrize(("enter", "exit_", "days", "field"), [
    (0, 0, 7, "flaky_enter"), (0.3, 0.3, 7, "flaky_exit"), (0.3, 0.1, 0, "quarantine_days")])
def test_it_refuses_bad_thresholds(history, enter: float, exit_: float, days: int, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuarantineError) as err:
        quarantine.update_settings(history.p.project.id, principal_of(history.p.alice), flaky_enter=enter,
                                   flaky_exit=exit_, auto_quarantine=False, quarantine_days=days)
    assert err.value.field == field
    assert quarantine.get_settings(history.p.project.id)["flaky_enter"] == 0.3
