"""Flaky states with hysteresis, and quarantines.

A test ENTERS the flaky state when its flip rate over its last `window` results reaches the
project's `flaky_enter` threshold and LEAVES it only when the rate drops below `flaky_exit`
(hysteresis: a rate between the two keeps the current state). Entering proposes a quarantine
(state `proposed`), or activates one at once when the project enables `auto_quarantine`.

An `active` quarantine has an owner, a reason and an expiry; while it lasts the test still
runs and is shown, but its failures do not fail the run (see `forgiven`), hence neither the
CLI's exit code nor the JUnit verdict (reported as skipped). Every change is audited.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlmodel import Session, col, select

from traceiq_app.db import session_or_scope, session_scope
from traceiq_app.models import AnalyticsSettings, FlakyState, Project, Quarantine, ResultFact, utcnow
from traceiq_app.services.analytics import metrics
from traceiq_app.services.analytics.errors import AnalyticsInvalid
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal

log = logging.getLogger(__name__)

WINDOW = 10
PROPOSED, ACTIVE, ENDED = "proposed", "active", "ended"


class QuarantineError(AnalyticsInvalid):
    """Bad input: `field` names what is wrong."""


# ---- settings ---------------------------------------------------------------------------------
def settings_for(session: Session, project_id: uuid.UUID) -> AnalyticsSettings:
    return session.get(AnalyticsSettings, project_id) or AnalyticsSettings(project_id=project_id)


def get_settings(project_id: uuid.UUID) -> dict[str, Any]:
    with session_scope() as session:
        return settings_for(session, project_id).model_dump(mode="json", exclude={"project_id"})


def update_settings(project_id: uuid.UUID, principal: Principal, *, flaky_enter: float, flaky_exit: float,
                    auto_quarantine: bool, quarantine_days: int) -> dict[str, Any]:
    if not 0 < flaky_enter <= 1:
        raise QuarantineError("flaky_enter", "must be above 0 and at most 1")
    if not 0 <= flaky_exit < flaky_enter:
        raise QuarantineError("flaky_exit", "must be at least 0 and below flaky_enter")
    if not 1 <= quarantine_days <= 365:
        raise QuarantineError("quarantine_days", "must be between 1 and 365")
    with session_scope() as session:
        row = session.get(AnalyticsSettings, project_id) or AnalyticsSettings(project_id=project_id)
        row.flaky_enter, row.flaky_exit = flaky_enter, flaky_exit
        row.auto_quarantine, row.quarantine_days = auto_quarantine, quarantine_days
        session.add(row)
        project = session.get(Project, project_id)
        assert project is not None
        audit.record(session, org_id=project.org_id, project_id=project_id, action="analytics.settings",
                     actor=principal, object_type="project", object_id=str(project_id),
                     details=row.model_dump(mode="json", exclude={"project_id"}))
        return row.model_dump(mode="json", exclude={"project_id"})


# ---- what is quarantined ----------------------------------------------------------------------
def _live(stmt: Any, now: datetime) -> Any:
    return stmt.where(Quarantine.state == ACTIVE,
                      sa.or_(col(Quarantine.expires_at).is_(None), col(Quarantine.expires_at) > now))


def active_keys(session: Session, project_id: uuid.UUID, now: datetime | None = None) -> set[str]:
    stmt = select(Quarantine.test_key).where(Quarantine.project_id == project_id)
    return set(session.exec(_live(stmt, now or utcnow())).all())


def forgiven(facts: list[ResultFact]) -> tuple[int, int]:
    """(failed, errors) among a run's facts whose test was quarantined: they do not fail the run."""
    failed = sum(1 for f in facts if f.quarantined and f.status == "failed")
    errors = sum(1 for f in facts if f.quarantined and f.status == "error")
    return failed, errors


def quarantined_in_run(run_id: uuid.UUID) -> dict[tuple[str, str], str]:
    """(test key, browser) -> reason, for the run's results recorded while quarantined (JUnit)."""
    with session_scope() as session:
        rows = session.execute(sa.select(col(ResultFact.test_key), col(ResultFact.browser), col(ResultFact.project_id))
                               .where(col(ResultFact.run_id) == run_id, col(ResultFact.quarantined).is_(True))).all()
        if not rows:
            return {}
        reasons = {q.test_key: q.reason for q in session.exec(select(Quarantine).where(
            Quarantine.project_id == rows[0][2], Quarantine.state != PROPOSED)).all()}
    return {(k, b): reasons.get(k) or "quarantined" for k, b, _p in rows}


# ---- hysteresis -------------------------------------------------------------------------------
def publish_flaky_detected(project_id: uuid.UUID, test_key: str, test_name: str, flip_rate: float) -> None:
    """Notify the project's "test.flaky_detected" rules (services/notifications). Never raises:
    a notification problem must not fail the run that revealed the flakiness."""
    from traceiq_app.services.notifications import publish
    from traceiq_app.settings import get_settings

    base = (get_settings().public_url or "").rstrip("/")
    log.info("test.flaky_detected project=%s test=%s flip_rate=%.2f", project_id, test_key, flip_rate)
    data = {"project_id": str(project_id), "test_key": test_key, "test_name": test_name,
            "flip_rate": round(flip_rate, 3), "window": WINDOW,
            "url": f"{base}/projects/{project_id}/analytics" if base else None}
    try:
        publish(project_id, "test.flaky_detected", data,
                event_id=f"test.flaky_detected:{project_id}:{test_key}:{utcnow().isoformat()}")
    except Exception:  # noqa: BLE001
        log.exception("could not publish test.flaky_detected for %s", test_key)


def recent_statuses(session: Session, project_id: uuid.UUID, keys: list[str], window: int = WINDOW
                    ) -> dict[str, list[str]]:
    """Each test's last `window` statuses, oldest first (all browsers together)."""
    if not keys:
        return {}
    rn = sa.func.row_number().over(partition_by=col(ResultFact.test_key),
                                   order_by=(col(ResultFact.finished_at).desc(), col(ResultFact.id).desc()))
    inner = (sa.select(col(ResultFact.test_key), col(ResultFact.status), col(ResultFact.finished_at), rn.label("rn"))
             .where(col(ResultFact.project_id) == project_id, col(ResultFact.test_key).in_(keys)).subquery())
    rows = session.execute(sa.select(inner.c.test_key, inner.c.status).where(inner.c.rn <= window)
                           .order_by(inner.c.test_key, inner.c.rn.desc())).all()
    out: dict[str, list[str]] = {}
    for key, status in rows:
        out.setdefault(key, []).append(status)
    return out


def evaluate(session: Session, project_id: uuid.UUID, names: dict[str, str], now: datetime | None = None) -> list[str]:
    """Update the flaky state of these tests (key -> name) after new results; returns the keys
    that became flaky."""
    now = now or utcnow()
    cfg = settings_for(session, project_id)
    history = recent_statuses(session, project_id, list(names))
    became: list[str] = []
    rates: dict[str, float] = {}
    for key, name in names.items():
        rate = rates[key] = metrics.flip_rate(history.get(key, []))
        state = session.get(FlakyState, (project_id, key))
        if state is None:
            state = FlakyState(project_id=project_id, test_key=key, flaky=False, changed_at=now)
        was = state.flaky
        if not was and rate >= cfg.flaky_enter:
            state.flaky, state.changed_at = True, now
            became.append(key)
            _propose(session, project_id, key, name, rate, cfg, now)
        elif was and rate < cfg.flaky_exit:
            state.flaky, state.changed_at = False, now
            for q in session.exec(select(Quarantine).where(Quarantine.project_id == project_id,
                                                           Quarantine.test_key == key,
                                                           Quarantine.state == PROPOSED)).all():
                q.state, q.ended_at, q.end_reason = ENDED, now, "no longer flaky"
        state.flip_rate = rate
        session.add(state)
    session.flush()
    if became:
        # Published once the flaky states are committed (a second writer inside this
        # transaction would wait on SQLite's lock).
        def _publish(_session: Session) -> None:
            for key in became:
                publish_flaky_detected(project_id, key, names[key], rates[key])

        sa_event.listen(session, "after_commit", _publish, once=True)
    return became


def _propose(session: Session, project_id: uuid.UUID, key: str, name: str, rate: float, cfg: AnalyticsSettings,
             now: datetime) -> None:
    open_ = session.exec(select(Quarantine).where(Quarantine.project_id == project_id, Quarantine.test_key == key,
                                                  col(Quarantine.state).in_([PROPOSED, ACTIVE]))).first()
    if open_ is not None:
        return
    auto = cfg.auto_quarantine
    q = Quarantine(project_id=project_id, test_key=key, test_name=name[:300], state=ACTIVE if auto else PROPOSED,
                   reason=f"flip rate {rate:.0%} over the last {WINDOW} runs", automatic=True, created_at=now,
                   expires_at=now + timedelta(days=cfg.quarantine_days) if auto else None)
    session.add(q)
    session.flush()
    project = session.get(Project, project_id)
    assert project is not None
    audit.record(session, org_id=project.org_id, project_id=project_id,
                 action="quarantine.create" if auto else "quarantine.propose", actor=None,
                 actor_label="analytics", object_type="quarantine", object_id=str(q.id),
                 details={"test": name, "flip_rate": round(rate, 3), "automatic": True})


# ---- quarantines by hand ----------------------------------------------------------------------
@dataclass(frozen=True)
class QuarantineIn:
    test_key: str
    test_name: str
    reason: str
    owner_user_id: uuid.UUID | None
    expires_at: datetime


def create(project_id: uuid.UUID, principal: Principal, data: QuarantineIn, now: datetime | None = None
           ) -> Quarantine:
    now = now or utcnow()
    if not data.reason.strip():
        raise QuarantineError("reason", "is required")
    if len(data.reason) > 500:
        raise QuarantineError("reason", "is longer than 500 characters")
    if data.expires_at <= now:
        raise QuarantineError("expires_at", "must be in the future")
    if data.expires_at > now + timedelta(days=365):
        raise QuarantineError("expires_at", "must be within a year")
    with session_scope() as session:
        project = session.get(Project, project_id)
        assert project is not None
        if data.owner_user_id is not None:
            _check_owner(session, project, data.owner_user_id)
        existing = session.exec(select(Quarantine).where(Quarantine.project_id == project_id,
                                                         Quarantine.test_key == data.test_key,
                                                         col(Quarantine.state).in_([PROPOSED, ACTIVE]))).all()
        for q in existing:
            q.state, q.ended_at, q.end_reason = ENDED, now, "replaced"
        q = Quarantine(project_id=project_id, test_key=data.test_key, test_name=data.test_name[:300], state=ACTIVE,
                       owner_user_id=data.owner_user_id or principal.user_id, reason=data.reason.strip(),
                       created_by_user_id=principal.user_id, created_at=now, expires_at=data.expires_at)
        session.add(q)
        session.flush()
        audit.record(session, org_id=project.org_id, project_id=project_id, action="quarantine.create",
                     actor=principal, object_type="quarantine", object_id=str(q.id),
                     details={"test": data.test_name, "reason": q.reason, "expires_at": data.expires_at.isoformat()})
        session.refresh(q)
        session.expunge(q)
        return q


def lift(project_id: uuid.UUID, principal: Principal, test_key: str, now: datetime | None = None) -> int:
    """End the test's proposed/active quarantines; returns how many."""
    now = now or utcnow()
    with session_scope() as session:
        project = session.get(Project, project_id)
        assert project is not None
        rows = session.exec(select(Quarantine).where(Quarantine.project_id == project_id,
                                                     Quarantine.test_key == test_key,
                                                     col(Quarantine.state).in_([PROPOSED, ACTIVE]))).all()
        for q in rows:
            q.state, q.ended_at, q.end_reason = ENDED, now, f"lifted by {principal.label}"
            audit.record(session, org_id=project.org_id, project_id=project_id, action="quarantine.lift",
                         actor=principal, object_type="quarantine", object_id=str(q.id),
                         details={"test": q.test_name})
        return len(rows)


def expire_due(now: datetime | None = None, session: Session | None = None) -> int:
    """End active quarantines whose expiry has passed (the maintenance pass calls this)."""
    now = now or utcnow()
    with session_or_scope(session) as s:
        rows = s.exec(select(Quarantine).where(Quarantine.state == ACTIVE, col(Quarantine.expires_at).is_not(None),
                                               col(Quarantine.expires_at) <= now)).all()
        for q in rows:
            q.state, q.ended_at, q.end_reason = ENDED, now, "expired"
            project = s.get(Project, q.project_id)
            if project is not None:
                audit.record(s, org_id=project.org_id, project_id=q.project_id, action="quarantine.expire",
                             actor=None, actor_label="analytics", object_type="quarantine", object_id=str(q.id),
                             details={"test": q.test_name})
        return len(rows)


def listing(project_id: uuid.UUID, now: datetime | None = None, *, include_ended: bool = False
            ) -> list[dict[str, Any]]:
    now = now or utcnow()
    with session_scope() as session:
        stmt = select(Quarantine).where(Quarantine.project_id == project_id)
        if not include_ended:
            stmt = stmt.where(Quarantine.state != ENDED)
        rows = list(session.exec(stmt.order_by(col(Quarantine.created_at).desc())).all())
    return [as_dict(q, now) for q in rows]


def as_dict(q: Quarantine, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    expired = q.state == ACTIVE and q.expires_at is not None and q.expires_at <= now
    return {"id": str(q.id), "test_id": q.test_key, "name": q.test_name,
            "state": ENDED if expired else q.state, "reason": q.reason,
            "owner_user_id": str(q.owner_user_id) if q.owner_user_id else None, "automatic": q.automatic,
            "created_at": q.created_at.isoformat(), "expires_at": q.expires_at.isoformat() if q.expires_at else None,
            "ended_at": q.ended_at.isoformat() if q.ended_at else None, "end_reason": q.end_reason}


def resolve_test(project_id: uuid.UUID, ref: str) -> tuple[str, str]:
    """(test key, name) for a test named by id or name: a live test case of the project, or a
    test known only from results (imported name-only results). Raises QuarantineError."""
    from traceiq_app.models import TestCase

    ref = (ref or "").strip()
    if not ref:
        raise QuarantineError("test", "is required")
    with session_scope() as session:
        cases = session.exec(select(TestCase).where(TestCase.project_id == project_id,
                                                    col(TestCase.deleted_at).is_(None))).all()
        by_id = [c for c in cases if str(c.id) == ref]
        by_name = [c for c in cases if c.name == ref]
        if by_id or len(by_name) == 1:
            case = (by_id or by_name)[0]
            return str(case.id), case.name
        if len(by_name) > 1:
            raise QuarantineError("test", f"{len(by_name)} tests are named {ref!r}: use the test's id")
        fact = session.exec(select(ResultFact).where(ResultFact.project_id == project_id,
                                                     sa.or_(col(ResultFact.test_key) == ref,
                                                            col(ResultFact.test_name) == ref)).limit(1)).first()
        if fact is not None:
            return fact.test_key, fact.test_name
    raise QuarantineError("test", f"no test {ref!r} in this project")


def check_owner(project_id: uuid.UUID, owner_user_id: uuid.UUID) -> None:
    """The owner must be a member of the project (a project role, or an org role that gives one)."""
    with session_scope() as session:
        project = session.get(Project, project_id)
        assert project is not None
        _check_owner(session, project, owner_user_id)


def _check_owner(session: Session, project: Project, owner_user_id: uuid.UUID) -> None:
    from traceiq_app.services.platform.permissions import project_role

    if project_role(session, owner_user_id, project)[0] is None:
        raise QuarantineError("owner", "is not a member of this project: pick one of the project's members "
                                       "(Members page) as the owner")
