"""Run history per test case, for lists that show how each test did last time."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import TestResult


def last_statuses(test_case_ids: list[uuid.UUID]) -> dict[str, str]:
    """{test case id: status of its newest finished result} (tests never run are absent)."""
    if not test_case_ids:
        return {}
    newest = (
        sa.select(col(TestResult.test_case_id).label("case_id"), sa.func.max(col(TestResult.finished_at)).label("at"))
        .where(col(TestResult.test_case_id).in_(test_case_ids), col(TestResult.finished_at).is_not(None))
        .group_by(col(TestResult.test_case_id))
        .subquery()
    )
    query = select(TestResult.test_case_id, TestResult.status).join(
        newest, sa.and_(col(TestResult.test_case_id) == newest.c.case_id, col(TestResult.finished_at) == newest.c.at))
    with session_scope() as s:
        return {str(case_id): getattr(status, "value", str(status)) for case_id, status in s.exec(query).all()}
