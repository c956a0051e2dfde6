"""Hand-built run histories with known answers, recorded through `finish_attempt`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from tests.factories import Personas, make_test_case
from traceiq_app.db import get_engine
from traceiq_app.models import (
    Project,
    Run,
    RunStatus,
    StepResult,
    StepStatus,
    TestCase,
    TestResult,
    TestResultStatus,
    utcnow,
)
from traceiq_app.services.runs.results import finish_attempt


@dataclass
class Outcome:
    """One test's final outcome in a run: "passed", "failed", "error", "flaky" (failed, then
    passed on retry); optional duration, error and failing step (action, locator)."""

    status: str
    duration_ms: int = 1000
    error: str | None = None
    step: tuple[str, str | None] | None = None


class History:
    def __init__(self, personas: Personas | Any) -> None:
        """`personas`: the cast of tests.factories, or anything with a `.project` (a live app's)."""
        self.p = personas
        self.cases: dict[str, TestCase] = {}

    def case(self, name: str, tags: list[str] | None = None, project: Project | None = None) -> TestCase:
        if name not in self.cases:
            with Session(get_engine(), expire_on_commit=False) as s:
                self.cases[name] = make_test_case(s, project or self.p.project, name, tags=tags)
                s.commit()
        return self.cases[name]

    def run(self, outcomes: dict[str, Outcome | str], *, branch: str | None = "main", project: Project | None = None,
            **fields: Any) -> Run:
        """A finished run with these tests' outcomes (closed by the last `finish_attempt`)."""
        project = project or self.p.project
        norm = {n: (o if isinstance(o, Outcome) else Outcome(o)) for n, o in outcomes.items()}
        cases = {n: self.case(n, project=project) for n in norm}
        now = utcnow()
        running: list[tuple[uuid.UUID, Outcome]] = []
        with Session(get_engine(), expire_on_commit=False) as s:
            run = Run(project_id=project.id, trigger="ui", status=RunStatus.running, branch=branch, retries=1,
                      started_at=now - timedelta(seconds=5), selection={}, **fields)
            s.add(run)
            s.flush()
            for name, o in norm.items():
                case = cases[name]
                attempt = 1
                if o.status == "flaky":
                    s.add(TestResult(run_id=run.id, test_case_id=case.id, test_name=case.name, attempt=1,
                                     status=TestResultStatus.failed, error="first attempt failed",
                                     started_at=now, finished_at=now, duration_ms=o.duration_ms,
                                     definition=case.definition()))
                    attempt = 2
                r = TestResult(run_id=run.id, test_case_id=case.id, test_name=case.name, attempt=attempt,
                               status=TestResultStatus.running, started_at=now, definition=case.definition())
                s.add(r)
                s.flush()
                if o.step is not None:
                    s.add(StepResult(test_result_id=r.id, step_index=0, action=o.step[0], status=StepStatus.failed,
                                     locator_used=o.step[1], error=o.error))
                running.append((r.id, o))
            s.commit()
        for rid, o in running:
            status = TestResultStatus.passed if o.status == "flaky" else TestResultStatus(o.status)
            finish_attempt(rid, status, error=o.error, failed_step=0 if o.step else None, duration_ms=o.duration_ms,
                           retryable=False)
        with Session(get_engine(), expire_on_commit=False) as s:
            found = s.get(Run, run.id)
            assert found is not None and RunStatus(found.status).is_final
            return found


@pytest.fixture
def history(personas: Personas) -> History:
    return History(personas)


@pytest.fixture
def history_any(personas_any: Personas) -> History:
    """`history` on SQLite and on Postgres."""
    return History(personas_any)
