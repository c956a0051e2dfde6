"""Locator advice for a project's tests (engine/healing/advice.py on each step's target, with the
step's fingerprint from its last passing run), and applying one: a new test version with the
suggested locator first and the old alternatives kept as fallbacks. The suggestion is always
computed again on the server: the client only names the test, step and field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.engine.healing.advice import advise, problems
from traceiq_app.engine.model import Locator
from traceiq_app.models import HealingFingerprint, TestCase
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.catalog.test_cases import update_test_case

MAX_ROWS = 200


@dataclass
class AdviceRow:
    test_case_id: str
    test_name: str
    step: int  # 0-based
    field: str
    locator: str
    kind: str
    message: str
    suggestion: dict[str, Any] | None
    suggestion_text: str


def _fields(step: dict[str, Any]) -> list[str]:
    return ["source", "target"] if step.get("action") == "drag_and_drop" else ["target"]


def _target(step: dict[str, Any], field: str) -> list[Locator]:
    raw = step.get(field)
    items = [raw] if isinstance(raw, dict) else list(raw or [])
    try:
        return [Locator.model_validate(item) for item in items]
    except ValidationError:
        return []


def _step_advice(step: dict[str, Any], index: int, fps: dict[str, dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    out = []
    for nth, field in enumerate(_fields(step)):
        target = _target(step, field)
        if not target:
            continue
        slot = str(index) if nth == 0 else f"{index}.{nth}"
        out.append((field, advise(target, fps.get(slot))))
    return out


def project_advice(project_id: uuid.UUID) -> list[AdviceRow]:
    rows: list[AdviceRow] = []
    with session_scope() as session:
        cases = session.exec(select(TestCase).where(col(TestCase.project_id) == project_id,
                                                    col(TestCase.deleted_at).is_(None))
                             .order_by(col(TestCase.name))).all()
        ids = [c.id for c in cases]
        fps: dict[uuid.UUID, dict[str, dict[str, Any]]] = {}
        for fp in session.exec(select(HealingFingerprint).where(col(HealingFingerprint.test_case_id).in_(ids))).all():
            fps.setdefault(fp.test_case_id, {})[fp.slot] = dict(fp.fingerprint)
        for case in cases:
            for index, step in enumerate(case.steps or []):
                for field, advice in _step_advice(step, index, fps.get(case.id, {})):
                    if not advice:
                        continue
                    first = advice[0]
                    data = first.to_dict()
                    rows.append(AdviceRow(str(case.id), case.name, index, field,
                                          _target(step, field)[0].describe(), first.kind,
                                          "; ".join(a.message for a in advice), data["suggestion"],
                                          data["suggestion_text"]))
                    if len(rows) >= MAX_ROWS:
                        return rows
    return rows


def apply(project_id: uuid.UUID, test_id: uuid.UUID | str, step: int, field: str,
          user_id: uuid.UUID | None = None) -> int:
    """Put the suggested locator first for that step's target; returns the new version."""
    with session_scope() as session:
        try:
            case = session.get(TestCase, uuid.UUID(str(test_id)))
        except ValueError:
            raise NotFound("test") from None
        if case is None or case.project_id != project_id or case.deleted_at is not None:
            raise NotFound("test")
        steps = [dict(s) for s in case.steps or []]
        if not 0 <= step < len(steps) or field not in _fields(steps[step]):
            raise Invalid(f"step {step + 1}: no {field} to improve (the test changed? reload)")
        fps = {fp.slot: dict(fp.fingerprint) for fp in session.exec(
            select(HealingFingerprint).where(col(HealingFingerprint.test_case_id) == case.id)).all()}
        advice = dict(_step_advice(steps[step], step, fps)).get(field) or []
        better = next((a.suggestion for a in advice if a.suggestion is not None), None)
        if better is None:
            raise Invalid(f"step {step + 1}: no better locator is known yet (run the test once so its "
                          "elements are fingerprinted)")
        old = [loc.model_dump(mode="json", exclude_defaults=True) for loc in _target(steps[step], field)]
        steps[step] = {**steps[step], field: [better.model_dump(mode="json", exclude_defaults=True), *old]}
        return update_test_case(project_id, case.id, steps=steps, author_id=user_id, session=session).version



GENERIC_BETTER = ("prefer a role + accessible name, a label or a test id locator (run the test once and TraceIQ "
                  "suggests one for this element)")


def advise_locators(project_id: uuid.UUID, test_id: uuid.UUID | str | None, step: int, action: str, field: str,
                    locators: list[dict[str, Any]]) -> dict[str, str] | None:
    """Advice for the locators the editor holds (not yet saved): None when the first one is sound,
    else {"kind", "message", "suggestion"}: a concrete suggestion when a passing run of this test
    (in this project) fingerprinted the step's element, else a general one."""
    try:
        target = [Locator.model_validate(item) for item in locators]
    except ValidationError:
        return None
    found = problems(target[0]) if target else []
    if not found:
        return None
    fields = _fields({"action": action})
    fp: dict[str, Any] | None = None
    if test_id and field in fields:
        nth = fields.index(field)
        slot = str(step) if nth == 0 else f"{step}.{nth}"
        with session_scope() as session:
            try:
                case = session.get(TestCase, uuid.UUID(str(test_id)))
            except ValueError:
                case = None
            if case is not None and case.project_id == project_id and case.deleted_at is None:
                row = session.exec(select(HealingFingerprint).where(
                    col(HealingFingerprint.test_case_id) == case.id, col(HealingFingerprint.slot) == slot)).first()
                fp = dict(row.fingerprint) if row is not None else None
    advice = advise(target, fp)
    better = next((a.suggestion for a in advice if a.suggestion is not None), None)
    return {"kind": advice[0].kind, "message": "; ".join(a.message for a in advice),
            "suggestion": f"try {better.describe()}" if better is not None else GENERIC_BETTER}
