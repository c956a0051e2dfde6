"""Project healing mode and the per-step fingerprints, and what the worker records after a test.

Modes: "off" (nothing recorded or healed), "report" (fingerprints recorded; a broken locator
still fails its step, and the element found again becomes a proposal), "heal" (the step goes
on with the healed element: the test is "passed (healed)", and a proposal is made).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_or_scope, session_scope
from traceiq_app.engine.healing import HealingOptions
from traceiq_app.engine.results import TestResult
from traceiq_app.models import HealedStep, HealingFingerprint, HealingSettings, utcnow
from traceiq_app.services.catalog.projects import Invalid

MODES = ("off", "report", "heal")
DEFAULT_MODE = "report"
MODE_LABELS = {"off": "Off", "report": "Report only (propose a fix, the step fails)",
               "heal": "Heal and continue (passed (healed), propose a fix)"}


def get_mode(project_id: uuid.UUID) -> str:
    with session_scope() as session:
        row = session.get(HealingSettings, project_id)
        return row.mode if row else DEFAULT_MODE


def set_mode(project_id: uuid.UUID, mode: str, user_id: uuid.UUID | None = None) -> str:
    if mode not in MODES:
        raise Invalid(f"healing mode: choose one of {', '.join(MODES)} (got {mode!r})")
    with session_scope() as session:
        row = session.get(HealingSettings, project_id) or HealingSettings(project_id=project_id)
        row.mode, row.updated_by, row.updated_at = mode, user_id, utcnow()
        session.add(row)
    return mode


def fingerprints(test_case_id: uuid.UUID, session: Session | None = None) -> dict[str, dict[str, Any]]:
    with session_or_scope(session) as s:
        rows = s.exec(select(HealingFingerprint).where(col(HealingFingerprint.test_case_id) == test_case_id)).all()
        return {row.slot: dict(row.fingerprint) for row in rows}


def options_for_run(project_id: uuid.UUID, test_case_id: uuid.UUID | None) -> HealingOptions | None:
    """The engine's healing options for one test of this project (None: healing is off)."""
    if test_case_id is None:
        return None
    mode = get_mode(project_id)
    if mode == "off":
        return None
    from traceiq_app.services.ai.rank import ranker_for
    from traceiq_app.settings import get_settings

    budget_ms = get_settings().llm_rank_budget_ms
    return HealingOptions(fingerprints=fingerprints(test_case_id), heal=True, apply=mode == "heal",
                          ranker=ranker_for(project_id, budget_ms), rank_budget_ms=budget_ms)


def save_fingerprints(test_case_id: uuid.UUID, recorded: dict[str, dict[str, Any]],
                      session: Session | None = None) -> int:
    """Upsert the fingerprints recorded on passing steps; returns how many were written."""
    if not recorded:
        return 0
    with session_or_scope(session) as s:
        existing = {row.slot: row for row in s.exec(
            select(HealingFingerprint).where(col(HealingFingerprint.test_case_id) == test_case_id,
                                             col(HealingFingerprint.slot).in_(list(recorded)))).all()}
        for slot, fp in recorded.items():
            row = existing.get(slot) or HealingFingerprint(test_case_id=test_case_id, slot=slot)
            row.fingerprint, row.recorded_at = dict(fp), utcnow()
            s.add(row)
        s.flush()
    return len(recorded)


def record_outcome(*, project_id: uuid.UUID, run_id: uuid.UUID, test_result_id: uuid.UUID,
                   test_case_id: uuid.UUID | None, definition: dict[str, Any], result: TestResult) -> uuid.UUID | None:
    """After a test ran with healing options: keep its new fingerprints, the steps it healed
    and a proposal for them. Returns the proposal's id (None: nothing to propose)."""
    from traceiq_app.services.healing import proposals

    if test_case_id is None:
        return None
    healed = [s for s in result.steps if s.healed]
    with session_scope() as session:
        save_fingerprints(test_case_id, result.fingerprints, session)
        for step in healed:
            record = step.healed or {}
            session.add(HealedStep(test_result_id=test_result_id, run_id=run_id, step_index=step.index,
                                   applied=bool(record.get("applied", True)), from_locator=record["from"][:2000],
                                   to_locator=record["to"][:2000], score=float(record["score"])))
        session.flush()
        if not healed:
            return None
        return proposals.propose(session, project_id=project_id, run_id=run_id, test_result_id=test_result_id,
                                 test_case_id=test_case_id, definition=definition,
                                 healed=[(s.index, s.healed or {}) for s in healed])


def healed_by_result(run_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """test_result_id -> [{"step", "from", "to", "score", "applied"}] for a run page's badges."""
    with session_scope() as session:
        rows = session.exec(select(HealedStep).where(col(HealedStep.run_id) == run_id)
                            .order_by(col(HealedStep.step_index))).all()
        out: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            out.setdefault(str(row.test_result_id), []).append(
                {"step": row.step_index, "from": row.from_locator, "to": row.to_locator,
                 "score": row.score, "applied": row.applied})
        return out


def healed_label(items: list[dict[str, Any]], status: str) -> str:
    """What a result's healing badge says ("" when nothing was healed)."""
    if not items:
        return ""
    if status == "passed" and all(item["applied"] for item in items):
        return "passed (healed)"
    return "healing proposed"


def healed_for_result(test_result_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows = session.exec(select(HealedStep).where(col(HealedStep.test_result_id) == test_result_id)
                            .order_by(col(HealedStep.step_index))).all()
        return [{"step": r.step_index, "from": r.from_locator, "to": r.to_locator, "score": r.score,
                 "applied": r.applied} for r in rows]
