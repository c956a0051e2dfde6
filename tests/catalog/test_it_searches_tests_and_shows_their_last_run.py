"""The tests table of a folder: a search box narrows it by name or tag as the user types, and
each test shows how its newest finished run went ("never run" before the first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from tests.accounts import matrix_support as ms
from tests.factories import make_run, make_test_case, make_test_result
from traceiq_app.db import get_engine
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.state.catalog.suites import SuitesState

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_it_searches_and_shows_the_last_run(personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        pay = make_test_case(s, personas.project, "Pay by card", tags=["checkout", "smoke"])
        make_test_case(s, personas.project, "Search the shop", tags=["search"])
        make_test_case(s, personas.project, "Sign in", tags=["smoke"])
        for minutes, status in ((0, TestResultStatus.passed), (5, TestResultStatus.failed)):
            run = make_run(s, personas.project, status=RunStatus.failed)
            make_test_result(s, run, pay, status=status, finished_at=T0 + timedelta(minutes=minutes))
        s.commit()
    state = ms.state_for(SuitesState, ms.session_cookie(personas.bob.id), f"/projects/{personas.project.id}")
    state.load()
    last = {t["name"]: t["last"] for t in state.tests}
    assert last == {"Pay by card": "failed", "Search the shop": "", "Sign in": ""}
    state.set_search("smoke")
    assert [t["name"] for t in state.shown_tests] == ["Pay by card", "Sign in"]
    state.set_search("SIGN smoke")
    assert [t["name"] for t in state.shown_tests] == ["Sign in"]
    state.set_search("")
    assert len(state.shown_tests) == 3
