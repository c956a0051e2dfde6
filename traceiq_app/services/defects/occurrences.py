"""The failure clusters defects track. A defect raised from a failure takes its cluster's
signature; `open_for` finds the cluster's open defect (the UI offers "Attach to DEF-12" instead
of a new one); `record_run`, called when a run closes right after `facts.record_run`, attaches
each new failure of a tracked cluster to its defect (occurrence count, last seen) and flags a
defect that was FIXED or later "recurred". Idempotent per (defect, run, test, browser)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from traceiq_app.db import session_scope
from traceiq_app.models import Defect, DefectOccurrence, ResultFact, Run, utcnow
from traceiq_app.services.defects import history, workflow

FAILED = ("failed", "error")


def tracking(session: Session, project_id: uuid.UUID, signature: str) -> Defect | None:
    """The defect that tracks this cluster: the newest open one, else the newest fixed/closed one."""
    rows = list(session.exec(select(Defect).where(Defect.project_id == project_id, Defect.signature == signature)
                             .order_by(col(Defect.number).desc())).all())
    open_ = [d for d in rows if d.status in workflow.OPEN and d.status not in workflow.FIXED_OR_LATER]
    found = open_ or rows
    return found[0] if found else None


def open_for(project_id: uuid.UUID, signature: str | None) -> dict[str, str] | None:
    """The cluster's defect that is not done yet (NEW .. AWAITING VERIFICATION), for "Attach to"."""
    if not signature:
        return None
    with session_scope() as session:
        found = session.exec(select(Defect).where(Defect.project_id == project_id, Defect.signature == signature,
                                                  col(Defect.status).not_in(workflow.DONE))
                             .order_by(col(Defect.number).desc())).first()
    return {"id": str(found.id), "key": f"DEF-{found.number}", "title": found.title} if found else None


def add(session: Session, defect: Defect, occurrence: dict[str, Any], *, user_id: uuid.UUID | None,
        quiet: bool = False) -> bool:
    """Count one failure against `defect` (False when it was already counted)."""
    at = occurrence.get("at") or utcnow()
    row = DefectOccurrence(defect_id=defect.id, run_id=occurrence.get("run_id"),
                           test_result_id=occurrence.get("test_result_id"),
                           test_key=str(occurrence.get("test_key") or "")[:300],
                           test_name=str(occurrence.get("test_name") or "")[:300],
                           browser=str(occurrence.get("browser") or "")[:32], at=at)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    old = defect.occurrences
    defect.occurrences = int(session.exec(select(func.count()).select_from(DefectOccurrence)
                                          .where(DefectOccurrence.defect_id == defect.id)).one())
    defect.last_seen_at = max(at, defect.last_seen_at) if defect.last_seen_at else at
    if not quiet:
        history.record(session, defect.id, user_id, "occurrences", old, defect.occurrences)
    if defect.status in workflow.FIXED_OR_LATER and not defect.recurred:
        defect.recurred = True
        history.record(session, defect.id, user_id, "recurred", None, f"failed again in run {row.run_id}")
    session.add(defect)
    return True


def _from_fact(fact: ResultFact) -> dict[str, Any]:
    return {"run_id": fact.run_id, "test_result_id": fact.test_result_id, "test_key": fact.test_key,
            "test_name": fact.test_name, "browser": fact.browser, "at": fact.finished_at}


def record_run(session: Session, run: Run, facts: Iterable[ResultFact]) -> int:
    """Attach the run's failures to the defects tracking their clusters; returns how many."""
    failed = [f for f in facts if f.status in FAILED and f.signature]
    if not failed:
        return 0
    attached = 0
    for fact in failed:
        assert fact.signature is not None
        defect = tracking(session, run.project_id, fact.signature)
        if defect is not None and add(session, defect, _from_fact(fact), user_id=None):
            attached += 1
    return attached


def attach_result(project_id: uuid.UUID, ref: str, user_id: uuid.UUID, test_result_id: str) -> Defect:
    """Attach one failed result to an existing defect by hand ("Attach to DEF-12")."""
    from traceiq_app.services.catalog.projects import NotFound
    from traceiq_app.services.defects.defects import find

    with session_scope() as session:
        defect = find(session, project_id, ref)
        fact = session.exec(select(ResultFact).where(ResultFact.project_id == project_id,
                                                     col(ResultFact.test_result_id) == _uuid(test_result_id))).first()
        if fact is None:
            raise NotFound("test result")
        if defect.signature is None and fact.signature:
            defect.signature = fact.signature
        add(session, defect, _from_fact(fact), user_id=user_id)
        session.flush()
    return defect


def listing(session: Session, defect_id: uuid.UUID, limit: int = 50) -> list[dict[str, str]]:
    rows = session.exec(select(DefectOccurrence).where(DefectOccurrence.defect_id == defect_id)
                        .order_by(col(DefectOccurrence.at).desc()).limit(limit)).all()
    return [{"run_href": f"/runs/{o.run_id}" if o.run_id else "", "test_name": o.test_name, "browser": o.browser,
             "at": o.at.strftime("%Y-%m-%d %H:%M UTC")} for o in rows]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
