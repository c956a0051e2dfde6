"""Healing proposals: made by the worker after a healed run, reviewed by an editor.

Accept: a new version of the test whose healed steps list the new locator first and keep the
old alternatives as fallbacks (refused with a clear message when the step changed since the
run). Reject: dismissed, and its key (the test and its exact changes) is remembered so the
same change is never proposed again. A newer proposal for the same test supersedes an open one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import HealingProposal, TestCase, utcnow
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.catalog.test_cases import update_test_case

STATUSES = ("open", "accepted", "rejected", "superseded")


def _fields(action: str) -> list[str]:
    """The target fields of a step in the order the engine resolves them (its slots)."""
    return ["source", "target"] if action == "drag_and_drop" else ["target"]


def _as_list(target: Any) -> list[dict[str, Any]]:
    return [target] if isinstance(target, dict) else list(target or [])


def _key(test_case_id: uuid.UUID, changes: list[dict[str, Any]]) -> str:
    raw = json.dumps([str(test_case_id), [[c["step"], c["field"], c["from"], c["to"]] for c in changes]],
                     sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def propose(session: Session, *, project_id: uuid.UUID, run_id: uuid.UUID, test_result_id: uuid.UUID,
            test_case_id: uuid.UUID, definition: dict[str, Any],
            healed: list[tuple[int, dict[str, Any]]]) -> uuid.UUID | None:
    steps = definition.get("steps") or []
    changes: list[dict[str, Any]] = []
    for index, record in healed:
        if index >= len(steps):
            continue
        step = steps[index]
        slot = str(record.get("slot", index))
        nth = int(slot.split(".")[1]) if "." in slot else 0
        fields = _fields(str(step.get("action")))
        if nth >= len(fields):
            continue
        changes.append({"step": index, "field": fields[nth], "from": _as_list(step.get(fields[nth])),
                        "to": record["locator"], "from_text": record["from"], "to_text": record["to"],
                        "score": record["score"], "ranked_by": record.get("ranked_by", "rapidfuzz")})
    if not changes:
        return None
    key = _key(test_case_id, changes)
    seen = session.exec(select(HealingProposal).where(col(HealingProposal.key) == key,
                                                      col(HealingProposal.status).in_(["open", "rejected"]))).first()
    if seen is not None:
        return None  # already waiting for review, or rejected: remembered
    case = session.get(TestCase, test_case_id)
    for older in session.exec(select(HealingProposal).where(col(HealingProposal.test_case_id) == test_case_id,
                                                            col(HealingProposal.status) == "open")).all():
        older.status = "superseded"
        session.add(older)
    proposal = HealingProposal(project_id=project_id, test_case_id=test_case_id, run_id=run_id,
                               test_result_id=test_result_id, base_version=case.version if case else 0,
                               key=key, changes=changes)
    session.add(proposal)
    session.flush()
    return proposal.id


@dataclass
class ProposalView:
    id: str
    test_case_id: str
    test_name: str
    run_id: str | None
    status: str
    base_version: int
    new_version: int | None
    created_at: datetime
    changes: list[dict[str, Any]]


def list_proposals(project_id: uuid.UUID, status: str | None = "open", limit: int = 200) -> list[ProposalView]:
    if status is not None and status not in STATUSES:
        raise Invalid(f"status: one of {', '.join(STATUSES)}")
    with session_scope() as session:
        query = (select(HealingProposal, TestCase.name)
                 .join(TestCase, col(TestCase.id) == col(HealingProposal.test_case_id))
                 .where(col(HealingProposal.project_id) == project_id, col(TestCase.deleted_at).is_(None)))
        if status is not None:
            query = query.where(col(HealingProposal.status) == status)
        rows = session.exec(query.order_by(col(HealingProposal.created_at).desc()).limit(limit)).all()
        return [ProposalView(str(p.id), str(p.test_case_id), name, str(p.run_id) if p.run_id else None, p.status,
                             p.base_version, p.new_version, p.created_at, list(p.changes)) for p, name in rows]


def _open(session: Session, project_id: uuid.UUID, proposal_id: uuid.UUID | str) -> HealingProposal:
    try:
        pid = uuid.UUID(str(proposal_id))
    except ValueError:
        raise NotFound("proposal") from None
    proposal = session.get(HealingProposal, pid)
    if proposal is None or proposal.project_id != project_id:
        raise NotFound("proposal")
    if proposal.status != "open":
        raise Invalid(f"this proposal was already {proposal.status}")
    return proposal


def accept(project_id: uuid.UUID, proposal_id: uuid.UUID | str, user_id: uuid.UUID | None) -> int:
    """Write the new test version; returns its number."""
    with session_scope() as session:
        proposal = _open(session, project_id, proposal_id)
        case = session.get(TestCase, proposal.test_case_id)
        if case is None or case.deleted_at is not None:
            raise NotFound("test")
        steps = [dict(s) for s in case.steps or []]
        for change in proposal.changes:
            index, field = int(change["step"]), str(change["field"])
            if index >= len(steps) or _as_list(steps[index].get(field)) != change["from"]:
                proposal.status = "superseded"
                session.add(proposal)
                session.commit()
                raise Invalid(f"step {index + 1} changed since this run (now version {case.version}); "
                              "run the test again for a fresh proposal")
            kept = [alt for alt in change["from"] if alt != change["to"]]
            steps[index] = {**steps[index], field: [change["to"], *kept]}
        updated = update_test_case(project_id, case.id, steps=steps, author_id=user_id, session=session)
        proposal.status, proposal.new_version = "accepted", updated.version
        proposal.decided_by, proposal.decided_at = user_id, utcnow()
        session.add(proposal)
        return updated.version


def reject(project_id: uuid.UUID, proposal_id: uuid.UUID | str, user_id: uuid.UUID | None) -> None:
    with session_scope() as session:
        proposal = _open(session, project_id, proposal_id)
        proposal.status, proposal.decided_by, proposal.decided_at = "rejected", user_id, utcnow()
        session.add(proposal)
