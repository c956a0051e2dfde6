"""Read models for the run pages: the runs list of a project (filters + keyset pagination) and
the detail of one run (its attempts, steps and artifacts), plus "rerun the failed tests".

Callers authorize first (`services.platform.permissions.authorize` / `state.guard.require`); every
function here is scoped by the project or run id it is given.

Pagination is keyset on (created_at, id), newest first: the cursor is the last row of the
page ("<iso created_at>|<id>"), and the next page is `WHERE project_id = ? AND (created_at,
id) < cursor ORDER BY created_at DESC, id DESC LIMIT n`, served by the
`ix_runs_project_id_created_at` index — page 500 costs what page 1 costs (an OFFSET query
walks and throws away every row before the page).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Artifact,
    Environment,
    Project,
    Run,
    RunStatus,
    RunTrigger,
    StepResult,
    Suite,
    TestCase,
    TestResult,
    TestResultStatus,
    User,
)

PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
ERROR_CHARS = 2000  # long errors are cut for the pages (the API has them whole)
FAILED_STATUSES = (TestResultStatus.failed, TestResultStatus.error)


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class RunFilters:
    status: str = ""          # a RunStatus value, "" = any
    suite_id: str = ""        # runs whose selection names this folder
    environment_id: str = ""
    branch: str = ""          # exact branch name
    trigger: str = ""         # a RunTrigger value
    date_from: str = ""       # YYYY-MM-DD (inclusive, UTC)
    date_to: str = ""         # YYYY-MM-DD (inclusive, UTC)

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> RunFilters:
        def get(name: str) -> str:
            value = str(data.get(name) or "").strip()
            return "" if value in ("all", "any") else value

        return cls(status=get("status"), suite_id=get("suite_id"), environment_id=get("environment_id"),
                   branch=get("branch"), trigger=get("trigger"), date_from=get("date_from"), date_to=get("date_to"))


@dataclass
class RunRow:
    id: str
    status: str
    trigger: str
    who: str
    branch: str
    environment: str
    created_at: str
    duration: str
    total: int
    passed: int
    failed: int
    flaky: int
    errors: int

    def to_view(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items()}


@dataclass
class RunPage:
    rows: list[RunRow] = field(default_factory=list)
    next_cursor: str = ""  # "" = no more pages


# ---- cursors --------------------------------------------------------------------------------
def encode_cursor(created_at: datetime, run_id: uuid.UUID) -> str:
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    return f"{created_at.isoformat()}|{run_id}"


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        stamp, _, rid = cursor.partition("|")
        created = datetime.fromisoformat(stamp)
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return created, uuid.UUID(rid)
    except ValueError:
        raise BadCursor("bad page cursor") from None


# ---- formatting -----------------------------------------------------------------------------
def format_duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _day(value: str, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


# ---- the runs list -------------------------------------------------------------------------
def _ran_in_folder(suite_id: uuid.UUID) -> Any:
    """Runs of a folder: runs that ran a test of it or of its sub-folders (a whole-project run
    and a rerun of a folder run count too), and runs whose selection names it (queued ones).
    The selection JSON names suites by id; ids are UUID strings, so a LIKE is exact enough."""
    tree = sa.select(col(Suite.id).label("id")).where(col(Suite.id) == suite_id).cte("folder_tree", recursive=True)
    tree = tree.union_all(sa.select(col(Suite.id)).where(col(Suite.parent_id) == tree.c.id))
    ran = (sa.select(col(TestResult.run_id)).join(TestCase, col(TestCase.id) == col(TestResult.test_case_id))
           .where(col(TestCase.suite_id).in_(sa.select(tree.c.id))))
    return sa.or_(sa.cast(col(Run.selection), sa.Text).like(f"%{suite_id}%"), col(Run.id).in_(ran))


def runs_query(project_id: uuid.UUID, filters: RunFilters) -> Any:
    """SELECT of the project's runs matching `filters` (no order/limit), with who/env names."""
    query = (
        sa.select(Run, col(User.email), col(Environment.name))
        .select_from(Run)
        .outerjoin(User, col(User.id) == col(Run.triggered_by_user_id))
        .outerjoin(Environment, col(Environment.id) == col(Run.environment_id))
        .where(col(Run.project_id) == project_id)
    )
    if filters.status:
        query = query.where(col(Run.status) == RunStatus(filters.status))
    if filters.trigger:
        query = query.where(col(Run.trigger) == RunTrigger(filters.trigger))
    if filters.branch:
        query = query.where(col(Run.branch) == filters.branch)
    env_id = _uuid_or_none(filters.environment_id)
    if filters.environment_id:
        query = query.where(col(Run.environment_id) == env_id) if env_id else query.where(sa.false())
    suite_id = _uuid_or_none(filters.suite_id)
    if filters.suite_id:
        query = query.where(_ran_in_folder(suite_id)) if suite_id else query.where(sa.false())
    since, until = _day(filters.date_from, False), _day(filters.date_to, True)
    if since is not None:
        query = query.where(col(Run.created_at) >= since)
    if until is not None:
        query = query.where(col(Run.created_at) < until)
    return query


def _row(run: Run, email: str | None, env_name: str | None) -> RunRow:
    if run.triggered_by_user_id is not None:
        who = email or "deleted user"
    elif run.triggered_by_token_id is not None:
        who = "API token"
    elif run.schedule_id is not None:
        who = "schedule"
    else:
        who = "—"
    return RunRow(
        id=str(run.id), status=RunStatus(run.status).value, trigger=RunTrigger(run.trigger).value, who=who,
        branch=run.branch or "", environment=env_name or "",
        created_at=run.created_at.strftime("%Y-%m-%d %H:%M:%S") if run.created_at else "",
        duration=format_duration(run.duration_ms), total=run.total, passed=run.passed, failed=run.failed,
        flaky=run.flaky, errors=run.errors,
    )


def list_runs(project_id: uuid.UUID, filters: RunFilters | None = None, cursor: str = "",
              limit: int = PAGE_SIZE, session: Session | None = None) -> RunPage:
    """One page of the project's runs, newest first, after `cursor` ("" = first page)."""
    filters = filters or RunFilters()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = runs_query(project_id, filters)
    if cursor:
        created, rid = decode_cursor(cursor)
        # `created_at <= c` first so the index range scan starts at the cursor.
        query = query.where(col(Run.created_at) <= created,
                            sa.or_(col(Run.created_at) < created, col(Run.id) < rid))
    query = query.order_by(col(Run.created_at).desc(), col(Run.id).desc()).limit(limit + 1)

    def fetch(s: Session) -> RunPage:
        rows = list(s.execute(query).all())
        page = RunPage(rows=[_row(r[0], r[1], r[2]) for r in rows[:limit]])
        if len(rows) > limit:
            last: Run = rows[limit - 1][0]
            page.next_cursor = encode_cursor(last.created_at, last.id)
        return page

    if session is not None:
        return fetch(session)
    with session_scope() as s:
        return fetch(s)


def list_runs_offset(project_id: uuid.UUID, filters: RunFilters | None, page: int, limit: int = PAGE_SIZE,
                     session: Session | None = None) -> list[RunRow]:
    """The naive OFFSET version of `list_runs` (the benchmark's baseline; not used by pages)."""
    query = (runs_query(project_id, filters or RunFilters())
             .order_by(col(Run.created_at).desc(), col(Run.id).desc()).offset(page * limit).limit(limit))
    if session is not None:
        return [_row(r[0], r[1], r[2]) for r in session.execute(query).all()]
    with session_scope() as s:
        return [_row(r[0], r[1], r[2]) for r in s.execute(query).all()]


@dataclass
class FilterChoices:
    suites: list[dict[str, str]]
    environments: list[dict[str, str]]
    branches: list[str]


def filter_choices(project_id: uuid.UUID) -> FilterChoices:
    with session_scope() as s:
        suites = s.exec(select(Suite).where(Suite.project_id == project_id, col(Suite.deleted_at).is_(None))
                         .order_by(col(Suite.name))).all()
        envs = s.exec(select(Environment).where(Environment.project_id == project_id)
                       .order_by(col(Environment.name))).all()
        # Distinct branches of the latest 1000 runs (bounded: stays fast on big histories).
        recent = (sa.select(col(Run.branch)).where(col(Run.project_id) == project_id, col(Run.branch).is_not(None))
                  .order_by(col(Run.created_at).desc()).limit(1000).subquery())
        branches = sorted({b for (b,) in s.execute(sa.select(recent.c.branch).distinct()) if b})
    return FilterChoices(
        suites=[{"id": str(x.id), "name": x.name} for x in suites],
        environments=[{"id": str(e.id), "name": e.name} for e in envs],
        branches=branches[:100],
    )


# ---- one run -------------------------------------------------------------------------------
def artifact_url(artifact_id: uuid.UUID | str) -> str:
    return f"/api/v1/artifacts/{artifact_id}"


def trace_viewer_url(artifact_id: uuid.UUID | str) -> str:
    return f"/trace-viewer/index.html?trace={artifact_url(artifact_id)}"


def _cut(text: str | None) -> str:
    if not text:
        return ""
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS] + " …"


def step_view(step: StepResult) -> dict[str, Any]:
    return {
        "index": step.step_index, "action": step.action, "name": step.name or "",
        "status": step.status.value if hasattr(step.status, "value") else str(step.status),
        "duration_ms": step.duration_ms, "error": _cut(step.error),
        "console_errors": [_cut(x) for x in (step.console_errors or [])[:20]],
        "network_errors": [_cut(x) for x in (step.network_errors or [])[:20]],
        "screenshot_artifact_id": str(step.screenshot_artifact_id) if step.screenshot_artifact_id else "",
    }


def test_steps(run_id: uuid.UUID, test_result_id: uuid.UUID) -> list[dict[str, Any]]:
    """Steps of one attempt of the run (the run id scopes the lookup)."""
    with session_scope() as s:
        steps = s.exec(
            select(StepResult).join(TestResult, col(TestResult.id) == col(StepResult.test_result_id))
            .where(TestResult.run_id == run_id, StepResult.test_result_id == test_result_id)
            .order_by(col(StepResult.step_index))
        ).all()
        return [step_view(x) for x in steps]


def run_detail(run_id: uuid.UUID) -> dict[str, Any] | None:
    """The run, each attempt with its steps and artifacts (JSON-able), for the live page."""
    with session_scope() as s:
        run = s.get(Run, run_id)
        if run is None:
            return None
        env = s.get(Environment, run.environment_id) if run.environment_id else None
        user = s.get(User, run.triggered_by_user_id) if run.triggered_by_user_id else None
        results = list(s.exec(select(TestResult).where(TestResult.run_id == run_id)
                              .order_by(col(TestResult.id))).all())
        ids = [r.id for r in results]
        steps: dict[uuid.UUID, list[dict[str, Any]]] = {}
        artifacts: dict[uuid.UUID, list[Artifact]] = {}
        if ids:
            for step in s.exec(select(StepResult).where(col(StepResult.test_result_id).in_(ids))
                               .order_by(col(StepResult.test_result_id), col(StepResult.step_index))).all():
                steps.setdefault(step.test_result_id, []).append(step_view(step))
            for art in s.exec(select(Artifact).where(Artifact.run_id == run_id)).all():
                if art.test_result_id is not None:
                    artifacts.setdefault(art.test_result_id, []).append(art)
        tests = []
        for r in results:
            arts = {a.kind.value: str(a.id) for a in artifacts.get(r.id, [])
                    if a.kind.value in ("trace", "video", "failure_screenshot")}
            tests.append({
                "id": str(r.id), "test_case_id": str(r.test_case_id or ""), "name": r.test_name,
                "browser": r.browser.value, "attempt": r.attempt, "status": r.status.value,
                "error": _cut(r.error), "failed_step": r.failed_step, "duration_ms": r.duration_ms,
                "total_steps": len((r.definition or {}).get("steps") or []),
                "steps": steps.get(r.id, []), "trace": arts.get("trace", ""), "video": arts.get("video", ""),
                "failure_screenshot": arts.get("failure_screenshot", ""),
            })
        return {
            "id": str(run.id), "project_id": str(run.project_id), "status": run.status.value,
            "trigger": run.trigger.value, "who": user.email if user else "", "environment": env.name if env else "",
            "branch": run.branch or "", "browsers": list(run.browsers or []),
            "created_at": run.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "total": run.total, "passed": run.passed, "failed": run.failed, "flaky": run.flaky,
            "errors": run.errors, "skipped": run.skipped, "duration_ms": run.duration_ms, "tests": tests,
        }


def failed_test_ids(run_id: uuid.UUID) -> list[uuid.UUID]:
    """Test cases whose final attempt (per browser) failed or errored."""
    with session_scope() as s:
        results = s.exec(select(TestResult).where(TestResult.run_id == run_id)
                         .order_by(col(TestResult.attempt))).all()
        last: dict[tuple[uuid.UUID | None, str], TestResult] = {}
        for r in results:
            last[(r.test_case_id, r.browser.value)] = r
        found: list[uuid.UUID] = []
        for (case_id, _browser), r in last.items():
            if case_id is not None and r.status in FAILED_STATUSES and case_id not in found:
                found.append(case_id)
        return found


def rerun_failed(run_id: uuid.UUID, *, user_id: uuid.UUID | None = None) -> Run:
    """A new run (trigger "rerun") of the tests that failed in `run_id`, with the same
    environment, browsers, retries and parallelism. Raises runs.RunError if none failed."""
    from traceiq_app.services.runs import control as runs_service

    original = runs_service.get_run(run_id)
    if original is None:
        raise runs_service.RunError("run not found")
    ids = failed_test_ids(run_id)
    if not ids:
        raise runs_service.RunError("no failed tests to rerun")
    return runs_service.start_run(
        original.project_id, selection={"test_ids": [str(i) for i in ids]},
        environment_id=original.environment_id, browsers=list(original.browsers or []) or None,
        retries=original.retries, parallelism=original.parallelism, timeout_s=original.timeout_s,
        trigger=RunTrigger.rerun, user_id=user_id, rerun_of_id=original.id, branch=original.branch,
        commit_sha=original.commit_sha, video=original.video,
    )


# ---- the run dialog --------------------------------------------------------------------------
def dialog_choices(project_id: uuid.UUID) -> dict[str, Any]:
    """Folders, tests, tags and environments a new run of the project can pick from."""
    with session_scope() as s:
        suites = s.exec(select(Suite).where(Suite.project_id == project_id, col(Suite.deleted_at).is_(None))
                         .order_by(col(Suite.name))).all()
        cases = s.exec(select(TestCase).where(TestCase.project_id == project_id, col(TestCase.deleted_at).is_(None))
                        .order_by(col(TestCase.name)).limit(500)).all()
        envs = s.exec(select(Environment).where(Environment.project_id == project_id)
                       .order_by(col(Environment.name))).all()
        tags = sorted({t for c in cases for t in (c.tags or [])})
        project = s.get(Project, project_id)
        from traceiq_app.services.runs.control import default_video

        return {
            "video": default_video(project).value if project is not None else "off",
            "suites": [{"id": str(x.id), "name": x.name} for x in suites],
            "tests": [{"id": str(c.id), "name": c.name} for c in cases],
            "tags": tags,
            "environments": [{"id": str(e.id), "name": e.name} for e in envs],
        }
