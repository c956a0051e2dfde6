"""The filtered defects list as CSV or Excel (.xlsx, xlsxwriter), custom fields as columns."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import xlsxwriter

from traceiq_app.services.defects import custom_fields, listing

BASE = [("key", "Key"), ("title", "Title"), ("status_label", "Status"), ("severity", "Severity"),
        ("priority", "Priority"), ("assignee", "Assignee"), ("reporter", "Reporter"),
        ("occurrences", "Occurrences"), ("last_seen", "Last seen"), ("recurred", "Recurred"),
        ("created", "Created"), ("external_key", "External key"), ("external_url", "External link")]


def table(project_ids: uuid.UUID | list[uuid.UUID], filters: dict[str, Any] | None = None
          ) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the filtered list: one project (its custom fields as columns) or
    several (the organization-wide list: a Project column instead)."""
    ids = [project_ids] if isinstance(project_ids, uuid.UUID) else list(project_ids)
    several = len(ids) != 1
    fields = [] if several else custom_fields.list_fields(ids[0], "defect")
    header = (["Project"] if several else []) + [label for _, label in BASE] + [f.label for f in fields]
    rows = []
    for r in listing.search(ids, filters):
        values: list[Any] = [r["project"]] if several else []
        values += [("yes" if r[k] else "no") if k == "recurred" else r[k] for k, _ in BASE]
        values += [custom_fields.display(r["custom"].get(f.key)) for f in fields]
        rows.append(values)
    return header, rows


def _safe(value: Any) -> Any:
    """Spreadsheet formula injection: a cell starting with = + - @ is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(project_id: uuid.UUID | list[uuid.UUID], filters: dict[str, Any] | None = None) -> str:
    header, rows = table(project_id, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_safe(v) for v in r] for r in rows])
    return out.getvalue()


def to_xlsx(project_id: uuid.UUID | list[uuid.UUID], filters: dict[str, Any] | None = None) -> bytes:
    header, rows = table(project_id, filters)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Defects")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, r)
    sheet.freeze_panes(1, 0)
    sheet.set_column(1, 1, 50)
    book.close()
    return buffer.getvalue()


TEST_BASE = ["Test", "Folder", "Tags", "Priority", "Kind", "Version", "Updated"]


def tests_csv(project_id: uuid.UUID) -> str:
    """The project's tests with their custom fields as columns (the tests list's CSV download)."""
    from sqlmodel import col, select

    from traceiq_app.db import session_scope
    from traceiq_app.models import TestCase
    from traceiq_app.services.catalog import suites

    fields = custom_fields.list_fields(project_id, "test")
    folders = {str(n.id): n.name for n in suites.flatten(suites.list_tree(project_id))}
    with session_scope() as session:
        cases = list(session.exec(select(TestCase).where(TestCase.project_id == project_id,
                                                         col(TestCase.deleted_at).is_(None))
                                  .order_by(col(TestCase.name))).all())
    values = custom_fields.test_values_many(project_id, [c.id for c in cases])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEST_BASE + [f.label for f in fields])
    for c in cases:
        mine = values.get(str(c.id), {})
        row: list[Any] = [c.name, folders.get(str(c.suite_id or ""), ""), ", ".join(c.tags or []),
                          str(getattr(c.priority, "value", c.priority)), str(getattr(c, "kind", "automated")),
                          c.version, c.updated_at.isoformat(timespec="seconds")]
        row += [custom_fields.display(mine.get(f.key)) for f in fields]
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()
