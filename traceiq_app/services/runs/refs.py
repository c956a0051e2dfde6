"""What a run request names, turned into ids: suites, tests and the environment may be given by
id or by name (CI configs use names). Unknown names are a validation error on that field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, RunSelection, Suite, TestCase
from traceiq_app.services.catalog.projects import Invalid


@dataclass(frozen=True)
class ResolvedRequest:
    selection: RunSelection
    environment_id: uuid.UUID | None


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def resolve(project_id: uuid.UUID, *, suites: list[str], tests: list[str], tags: list[str],
            environment: str | None) -> ResolvedRequest:
    problems: list[str] = []
    suite_ids: list[uuid.UUID] = []
    test_ids: list[uuid.UUID] = []
    env_id: uuid.UUID | None = None
    with session_scope() as s:
        live_suites = list(s.exec(select(Suite).where(Suite.project_id == project_id,
                                                      col(Suite.deleted_at).is_(None))).all())
        for ref in suites:
            found = [x.id for x in live_suites if x.id == _as_uuid(ref) or x.name == ref]
            if not found:
                problems.append(f"suite: no suite '{ref[:100]}' in this project")
            suite_ids.extend(found)
        if tests:
            live_tests = list(s.exec(select(TestCase.id, TestCase.name).where(
                TestCase.project_id == project_id, col(TestCase.deleted_at).is_(None))).all())
            for ref in tests:
                found = [tid for tid, name in live_tests if tid == _as_uuid(ref) or name == ref]
                if not found:
                    problems.append(f"tests: no test '{ref[:100]}' in this project")
                test_ids.extend(found)
        if environment:
            envs = list(s.exec(select(Environment.id, Environment.name).where(
                Environment.project_id == project_id)).all())
            match = [eid for eid, name in envs if eid == _as_uuid(environment) or name == environment]
            if not match:
                problems.append(f"environment: no environment '{environment[:100]}' in this project")
            else:
                env_id = match[0]
    if problems:
        raise Invalid(problems)
    return ResolvedRequest(RunSelection(suite_ids=list(dict.fromkeys(suite_ids)),
                                        test_ids=list(dict.fromkeys(test_ids)), tags=list(dict.fromkeys(tags))),
                           env_id)
