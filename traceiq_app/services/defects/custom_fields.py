"""Per-project custom fields on test cases ("test") and defects ("defect"): text, number,
single select, multi select, date; added, renamed, re-optioned (`update_field`), reordered
(`move_field`) and removed by project admins. `clean_values` validates submitted values server-side and
answers with human messages ("Customer: choose one of Acme, Globex.")."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import CustomField, TestCase, TestCaseFieldValues
from traceiq_app.services.catalog.projects import Invalid, NotFound

KINDS = ("text", "number", "select", "multiselect", "date")
KIND_LABELS = {"text": "Text", "number": "Number", "select": "Single select", "multiselect": "Multi select",
               "date": "Date"}
APPLIES = ("test", "defect")
MAX_FIELDS = 50
MAX_TEXT = 1000


def _key(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")[:64]


def list_fields(project_id: uuid.UUID, applies_to: str | None = None) -> list[CustomField]:
    with session_scope() as session:
        stmt = select(CustomField).where(CustomField.project_id == project_id)
        if applies_to:
            stmt = stmt.where(CustomField.applies_to == applies_to)
        return list(session.exec(stmt.order_by(col(CustomField.applies_to), col(CustomField.position),
                                               col(CustomField.created_at))).all())


def _options(kind: str, raw: str | list[str]) -> list[str]:
    items = raw if isinstance(raw, list) else re.split(r"[,\n]", raw or "")
    options = list(dict.fromkeys(o.strip()[:100] for o in items if o.strip()))
    if kind in ("select", "multiselect") and not options:
        raise Invalid("Options: a select field needs at least one option (comma-separated).")
    return options if kind in ("select", "multiselect") else []


def create_field(project_id: uuid.UUID, applies_to: str, label: str, kind: str, options: str | list[str] = "",
                 required: bool = False) -> CustomField:
    label = (label or "").strip()
    problems = []
    if applies_to not in APPLIES:
        problems.append("Applies to: choose test cases or defects.")
    if not label or len(label) > 100:
        problems.append("Label: give the field a name (up to 100 characters).")
    if kind not in KINDS:
        problems.append(f"Type: choose one of {', '.join(KIND_LABELS.values())}.")
    if problems:
        raise Invalid(problems)
    key = _key(label) or "field"
    opts = _options(kind, options)
    with session_scope() as session:
        existing = list(session.exec(select(CustomField).where(CustomField.project_id == project_id,
                                                               CustomField.applies_to == applies_to)).all())
        same = [f for f in existing if f.key == key]
        if same:
            raise Invalid(f"Label: there is already a field called {same[0].label!r}.")
        if len(existing) >= MAX_FIELDS:
            raise Invalid(f"A project can have at most {MAX_FIELDS} custom fields per kind of item.")
        field = CustomField(project_id=project_id, applies_to=applies_to, key=key, label=label, kind=kind,
                            options=opts, required=bool(required), position=len(existing))
        session.add(field)
    return field


def _get_field(session: Any, project_id: uuid.UUID, field_id: uuid.UUID | str) -> CustomField:
    field = session.get(CustomField, _uuid(field_id))
    if field is None or field.project_id != project_id:
        raise NotFound("custom field")
    return field


def usage(project_id: uuid.UUID, field: CustomField) -> dict[str, int]:
    """How many items (defects or test cases) hold each option of a select field."""
    from traceiq_app.models import Defect

    with session_scope() as session:
        if field.applies_to == "defect":
            stored = [dict(c or {}) for c in session.exec(select(Defect.custom).where(
                Defect.project_id == project_id)).all()]
        else:
            stored = [dict(v or {}) for v in session.exec(
                select(TestCaseFieldValues.values).join(TestCase, col(TestCase.id) == col(TestCaseFieldValues.test_case_id))
                .where(TestCase.project_id == project_id)).all()]
    counts: dict[str, int] = {}
    for values in stored:
        value = values.get(field.key)
        for option in (value if isinstance(value, list) else [value] if value is not None else []):
            counts[str(option)] = counts.get(str(option), 0) + 1
    return counts


def update_field(project_id: uuid.UUID, field_id: uuid.UUID | str, *, label: str | None = None,
                 options: str | list[str] | None = None, required: bool | None = None) -> CustomField:
    """Rename a field (its key, under which values are kept, stays), change a select field's
    options (an option still in use is refused, naming it and how many items use it) or whether
    it is required. Every problem is reported at once."""
    with session_scope() as session:
        field = _get_field(session, project_id, field_id)
        problems: list[str] = []
        new_label = field.label if label is None else label.strip()
        if not new_label or len(new_label) > 100:
            problems.append("Label: give the field a name (up to 100 characters).")
        else:
            others = session.exec(select(CustomField).where(CustomField.project_id == project_id,
                                                            CustomField.applies_to == field.applies_to,
                                                            CustomField.id != field.id)).all()
            clash = [f for f in others if f.key == _key(new_label) or f.label.lower() == new_label.lower()]
            if clash:
                problems.append(f"Label: there is already a field called {clash[0].label!r}.")
        new_options = list(field.options)
        if options is not None:
            if field.kind in ("select", "multiselect"):
                try:
                    new_options = _options(field.kind, options)
                except Invalid as exc:
                    problems.extend(exc.problems)
                else:
                    removed = [o for o in field.options if o not in new_options]
                    used = usage(project_id, field) if removed else {}
                    items = "defect" if field.applies_to == "defect" else "test case"
                    for option in removed:
                        if used.get(option):
                            n = used[option]
                            problems.append(f"Options: {option!r} is still used by {n} {items}{'s' if n != 1 else ''}; "
                                            f"change {'them' if n != 1 else 'it'} to another option first, or keep it.")
            elif options if isinstance(options, list) else str(options).strip():
                problems.append(f"Options: only select fields have options ({field.label} is "
                                f"{KIND_LABELS.get(field.kind, field.kind)}).")
        if problems:
            raise Invalid(problems)
        field.label = new_label
        field.options = new_options
        if required is not None:
            field.required = bool(required)
        session.add(field)
    return field


def move_field(project_id: uuid.UUID, field_id: uuid.UUID | str, direction: str) -> list[CustomField]:
    """Move a field one place up or down among the fields of its kind of item; positions are
    renumbered 0..n-1. Returns the fields in their new order."""
    if direction not in ("up", "down"):
        raise Invalid("Direction: up or down.")
    with session_scope() as session:
        field = _get_field(session, project_id, field_id)
        ordered = list(session.exec(select(CustomField).where(
            CustomField.project_id == project_id, CustomField.applies_to == field.applies_to)
            .order_by(col(CustomField.position), col(CustomField.created_at))).all())
        i = next(n for n, f in enumerate(ordered) if f.id == field.id)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(ordered):
            ordered[i], ordered[j] = ordered[j], ordered[i]
        for n, f in enumerate(ordered):
            if f.position != n:
                f.position = n
                session.add(f)
        return ordered


def delete_field(project_id: uuid.UUID, field_id: uuid.UUID | str) -> None:
    with session_scope() as session:
        field = session.get(CustomField, _uuid(field_id))
        if field is None or field.project_id != project_id:
            raise NotFound("custom field")
        session.delete(field)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _one(field: CustomField, raw: Any) -> Any:
    """The stored value of `raw` for `field` (None when empty); raises Invalid with a human message."""
    name = field.label
    if field.kind == "multiselect":
        items = raw if isinstance(raw, list) else [s for s in re.split(r"[,\n]", str(raw or ""))]
        values = [str(v).strip() for v in items if str(v).strip()]
        wrong = [v for v in values if v not in field.options]
        if wrong:
            raise Invalid(f"{name}: {', '.join(wrong)} is not one of {', '.join(field.options)}.")
        return values or None
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if field.kind == "text":
        if len(text) > MAX_TEXT:
            raise Invalid(f"{name}: at most {MAX_TEXT} characters (this is {len(text)}).")
        return text
    if field.kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise Invalid(f"{name}: {text!r} is not a number.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise Invalid(f"{name}: {text!r} is not a number.")
        return int(number) if number.is_integer() else number
    if field.kind == "select":
        if text not in field.options:
            raise Invalid(f"{name}: choose one of {', '.join(field.options)}.")
        return text
    if field.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise Invalid(f"{name}: {text!r} is not a date (use YYYY-MM-DD).") from None
    return text


def clean_values(fields: list[CustomField], submitted: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validated values by field key (unknown keys dropped). Every problem is reported at once."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for field in fields:
        if partial and field.key not in submitted:
            continue
        try:
            value = _one(field, submitted.get(field.key))
        except Invalid as exc:
            problems.extend(exc.problems)
            continue
        if value is None and field.required:
            problems.append(f"{field.label}: required.")
            continue
        if value is not None:
            out[field.key] = value
    if problems:
        raise Invalid(problems)
    return out


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# ---- test cases --------------------------------------------------------------------------------

def test_values(project_id: uuid.UUID, test_case_id: uuid.UUID | str) -> dict[str, Any]:
    with session_scope() as session:
        case = session.get(TestCase, _uuid(test_case_id))
        if case is None or case.project_id != project_id:
            raise NotFound("test")
        row = session.get(TestCaseFieldValues, case.id)
        return dict(row.values) if row else {}


def test_values_many(project_id: uuid.UUID, test_case_ids: list[uuid.UUID]) -> dict[str, dict[str, Any]]:
    """The custom field values of many tests of one project at once (test id -> {key: value})."""
    if not test_case_ids:
        return {}
    with session_scope() as session:
        rows = session.exec(select(TestCaseFieldValues, TestCase.project_id)
                            .join(TestCase, col(TestCase.id) == col(TestCaseFieldValues.test_case_id))
                            .where(col(TestCaseFieldValues.test_case_id).in_(test_case_ids))).all()
        return {str(row.test_case_id): dict(row.values or {}) for row, pid in rows if pid == project_id}


def summary(fields: list[CustomField], values: dict[str, Any]) -> str:
    """"Customer: Acme · Risk: high": the set fields, in the project's field order."""
    parts = [f"{f.label}: {display(values.get(f.key))}" for f in fields if display(values.get(f.key))]
    return " · ".join(parts)


def set_test_values(project_id: uuid.UUID, test_case_id: uuid.UUID | str, submitted: dict[str, Any]) -> dict[str, Any]:
    fields = list_fields(project_id, "test")
    values = clean_values(fields, submitted)
    with session_scope() as session:
        case = session.get(TestCase, _uuid(test_case_id))
        if case is None or case.project_id != project_id:
            raise NotFound("test")
        row = session.get(TestCaseFieldValues, case.id)
        if row is None:
            session.add(TestCaseFieldValues(test_case_id=case.id, values=values))
        else:
            row.values = values
            session.add(row)
    return values
