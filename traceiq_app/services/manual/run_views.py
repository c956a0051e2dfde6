"""Reading manual runs: a run with its tests and progress (`run_view`), one test's steps with
results and attachments (`test_steps`), the activity list, the project's runs, which project a
run or step belongs to (what callers authorize against), and the run's newest live event id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    ManualAttachment,
    ManualRun,
    ManualRunActivity,
    ManualRunTest,
    ManualStepResult,
    User,
)
from traceiq_app.services.catalog.projects import NotFound, _live_project
from traceiq_app.services.manual.lifecycle import closure
from traceiq_app.services.manual.outcomes import FINAL, effective_outcome
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import live_events

STEP_EVENT = "manual.step"
TEST_EVENT = "manual.test"



def latest_event_id(run_id: uuid.UUID | str) -> str:
    """The id of the run's newest live event ("0" when none or Redis is away): a page takes its
    snapshot after reading it and follows from there, so no event falls between the two."""
    from traceiq_app.redis_conn import get_redis

    try:
        entries = get_redis().xrevrange(live_events.stream_key(run_id), count=1)
    except Exception:  # noqa: BLE001 - live updates are best-effort; the database is the truth
        return "0"
    if not entries:
        return "0"
    entry_id = entries[0][0]  # type: ignore[index]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


def project_of_run(run_id: uuid.UUID | str) -> uuid.UUID | None:
    """The project of a manual run (None: no such run): what callers authorize against."""
    try:
        rid = uuid.UUID(str(run_id))
    except ValueError:
        return None
    with session_scope() as session:
        run = session.get(ManualRun, rid)
        return run.project_id if run is not None else None


def project_of_step_result(step_result_id: uuid.UUID | str) -> uuid.UUID | None:
    try:
        sid = uuid.UUID(str(step_result_id))
    except ValueError:
        return None
    with session_scope() as session:
        row = session.get(ManualStepResult, sid)
        if row is None:
            return None
        run = session.get(ManualRun, row.run_id)
        return run.project_id if run is not None else None


def _run(session: Session, project_id: uuid.UUID, run_id: uuid.UUID | str) -> ManualRun:
    try:
        rid = uuid.UUID(str(run_id))
    except ValueError:
        raise NotFound("manual run") from None
    run = session.get(ManualRun, rid)
    if run is None or run.project_id != project_id:
        raise NotFound("manual run")
    return run


@dataclass
class StepView:
    id: str
    index: int
    action: str
    data: str
    expected: str
    status: str
    actual: str
    version: int
    by: str
    at: str
    attachments: list[dict[str, str]] = field(default_factory=list)


@dataclass
class TestView:
    id: str
    name: str
    test_case_id: str
    outcome: str
    derived: str
    override_reason: str
    assignee: str
    preconditions: str
    done: int
    total: int


@dataclass
class RunView:
    id: str
    project_id: str
    name: str
    environment: str
    build_label: str
    milestone: str
    status: str
    created_by: str
    created_at: str
    tests: list[TestView]
    complete: int
    total: int
    closed_by: str = ""
    closed_at: str = ""

    @property
    def percent(self) -> int:
        return int(100 * self.complete / self.total) if self.total else 0


def _emails(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u.email for u in session.exec(select(User).where(col(User.id).in_(wanted))).all()}


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else ""


def run_view(project_id: uuid.UUID, run_id: uuid.UUID | str) -> RunView:
    with session_scope() as session:
        run = _run(session, project_id, run_id)
        tests = list(session.exec(select(ManualRunTest).where(ManualRunTest.run_id == run.id)
                                  .order_by(col(ManualRunTest.position))).all())
        steps = list(session.exec(select(ManualStepResult).where(ManualStepResult.run_id == run.id)).all())
        emails = _emails(session, {t.assignee_id for t in tests} | {run.created_by})
        per_test: dict[uuid.UUID, list[str]] = {}
        for s in steps:
            per_test.setdefault(s.run_test_id, []).append(s.status)
        views = []
        for t in tests:
            statuses = per_test.get(t.id, [])
            views.append(TestView(
                id=str(t.id), name=t.name, test_case_id=str(t.test_case_id or ""), outcome=effective_outcome(t),
                derived=t.outcome, override_reason=t.override_reason or "",
                assignee=emails.get(t.assignee_id, "") if t.assignee_id else "",
                preconditions=str(t.definition.get("preconditions") or ""),
                done=sum(1 for s in statuses if s != "untested"), total=len(statuses)))
        closed_by, closed_at = closure(session, run)
        return RunView(
            closed_by=closed_by, closed_at=closed_at, id=str(run.id), project_id=str(run.project_id), name=run.name, environment=run.environment,
            build_label=run.build_label, milestone=run.milestone or "", status=run.status,
            created_by=emails.get(run.created_by, "") if run.created_by else "", created_at=_when(run.created_at),
            tests=views, complete=sum(1 for v in views if v.outcome in FINAL), total=len(views))


def test_steps(project_id: uuid.UUID, run_id: uuid.UUID | str, run_test_id: uuid.UUID | str) -> list[StepView]:
    """The steps of one test of the run with their results and attachments, in order."""
    with session_scope() as session:
        run = _run(session, project_id, run_id)
        test = session.get(ManualRunTest, uuid.UUID(str(run_test_id)))
        if test is None or test.run_id != run.id:
            raise NotFound("test of this run")
        rows = list(session.exec(select(ManualStepResult).where(ManualStepResult.run_test_id == test.id)
                                 .order_by(col(ManualStepResult.step_index))).all())
        files = list(session.exec(select(ManualAttachment).where(
            ManualAttachment.owner_kind == "step_result",
            col(ManualAttachment.owner_id).in_([r.id for r in rows]))
            .order_by(col(ManualAttachment.created_at))).all()) if rows else []
        emails = _emails(session, {r.by_id for r in rows})
        defs = list(test.definition.get("steps") or [])
        out = []
        for r in rows:
            step = defs[r.step_index] if r.step_index < len(defs) else {}
            out.append(StepView(
                id=str(r.id), index=r.step_index, action=str(step.get("action") or ""),
                data=str(step.get("data") or ""), expected=str(step.get("expected") or ""), status=r.status,
                actual=r.actual, version=r.version, by=emails.get(r.by_id, "") if r.by_id else "", at=_when(r.at),
                attachments=[{"id": str(f.id), "filename": f.filename, "content_type": f.content_type}
                             for f in files if f.owner_id == r.id]))
        return out


def activity(project_id: uuid.UUID, run_id: uuid.UUID | str, limit: int = 200) -> list[dict[str, str]]:
    """The run's activity, newest first."""
    with session_scope() as session:
        run = _run(session, project_id, run_id)
        rows = session.exec(select(ManualRunActivity).where(ManualRunActivity.run_id == run.id)
                            .order_by(col(ManualRunActivity.at).desc(), col(ManualRunActivity.id).desc())
                            .limit(limit)).all()
        return [{"who": r.user_email, "what": r.detail, "at": _when(r.at), "action": r.action} for r in rows]


def list_runs(project_id: uuid.UUID, limit: int = 100) -> list[RunView]:
    with session_scope() as session:
        _live_project(session, project_id)
        ids = list(session.exec(select(ManualRun.id).where(ManualRun.project_id == project_id)
                                .order_by(col(ManualRun.created_at).desc()).limit(limit)).all())
    return [run_view(project_id, rid) for rid in ids]


# ---- shared by the writers ------------------------------------------------------------------------
def _log(session: Session, run_id: uuid.UUID, principal: Principal, action: str, detail: str) -> None:
    session.add(ManualRunActivity(run_id=run_id, user_id=principal.user_id, user_email=principal.email,
                                  action=action, detail=detail))
