"""Starting, reading and cancelling runs.

A run is a selection of test cases x an environment x one or more browsers. Starting one
writes the run row and one queued `TestResult` (attempt 1) per test and browser, in the order
they should execute: tests without duration history first, then the longest first (median of
their last recorded durations). `orchestration.dispatch` then enqueues them, at most
`parallelism` at a time. Execution settings are resolved here, before any worker sees the test:
the stored definition snapshot is exactly what runs.

Settings precedence (highest first): the test's own options > its suite > parent suites >
the project > the environment (`base_url`, `variables`). Dicts (headers, variables) merge key
by key with the same precedence.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Browser,
    Environment,
    ExecutionSettings,
    Project,
    Run,
    RunSelection,
    RunStatus,
    RunTrigger,
    SourceFormat,
    StepResult,
    Suite,
    TestCase,
    TestResult,
    TestResultStatus,
    VideoMode,
    resolve_settings,
    utcnow,
)
from traceiq_app.services.runs import live_events

HISTORY_SAMPLES = 5
# Statuses whose duration says how long the test takes (errors and cancels often stop early).
HISTORY_STATUSES = (TestResultStatus.passed, TestResultStatus.failed, TestResultStatus.flaky)
UNLIMITED_PARALLELISM = 64  # the column's maximum: "as many workers as there are"


class RunError(ValueError):
    """The run cannot be started as asked (message is for the user)."""


# ---- selection ----------------------------------------------------------------------------
def _descendant_suites(suites: Sequence[Suite], roots: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for suite in suites:
        children.setdefault(suite.parent_id, []).append(suite.id)
    found: set[uuid.UUID] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def select_tests(session: Session, project_id: uuid.UUID, selection: RunSelection) -> list[TestCase]:
    """Live test cases of the project matching the selection (the union of suites with their
    sub-suites, explicit tests, and tags); everything when the selection is empty."""
    cases = list(session.exec(
        select(TestCase).where(TestCase.project_id == project_id, col(TestCase.deleted_at).is_(None))
    ).all())
    suites = list(session.exec(select(Suite).where(Suite.project_id == project_id)).all())
    deleted_suites = _descendant_suites(suites, [s.id for s in suites if s.deleted_at is not None])
    # Imported test cases (results of another runner) have no native steps: never run them here.
    # Manual test cases are run by people (services/manual/runs.py), never by the worker.
    cases = [c for c in cases if c.suite_id not in deleted_suites and c.source_format != SourceFormat.imported
             and c.kind != "manual"]
    if not (selection.suite_ids or selection.test_ids or selection.tags):
        return cases
    in_suites = _descendant_suites(suites, selection.suite_ids) if selection.suite_ids else set()
    wanted_ids = set(selection.test_ids)
    wanted_tags = set(selection.tags)
    return [
        c for c in cases
        if c.id in wanted_ids or (c.suite_id is not None and c.suite_id in in_suites)
        or (wanted_tags and wanted_tags.intersection(c.tags or []))
    ]


# ---- duration history and ordering ----------------------------------------------------------
def duration_history(session: Session, test_case_ids: Sequence[uuid.UUID],
                     samples: int = HISTORY_SAMPLES) -> dict[uuid.UUID, int]:
    """Median duration (ms) of each test's last `samples` finished attempts; absent = unknown."""
    if not test_case_ids:
        return {}
    ranked = (
        sa.select(
            col(TestResult.test_case_id),
            col(TestResult.duration_ms),
            sa.func.row_number().over(
                partition_by=col(TestResult.test_case_id), order_by=col(TestResult.finished_at).desc()
            ).label("n"),
        )
        .where(
            col(TestResult.test_case_id).in_(list(test_case_ids)),
            col(TestResult.status).in_([s.value for s in HISTORY_STATUSES]),
            col(TestResult.duration_ms).is_not(None),
            col(TestResult.finished_at).is_not(None),
        )
        .subquery()
    )
    rows = session.execute(sa.select(ranked.c.test_case_id, ranked.c.duration_ms).where(ranked.c.n <= samples))
    durations: dict[uuid.UUID, list[int]] = {}
    for case_id, duration in rows:
        durations.setdefault(case_id, []).append(int(duration))
    return {case_id: int(statistics.median(values)) for case_id, values in durations.items()}


def order_longest_first(cases: Sequence[TestCase], history: dict[uuid.UUID, int]) -> list[TestCase]:
    """Unknown durations first (in suite/position/name order), then longest first."""
    def key(case: TestCase) -> tuple[int, int, int, str]:
        known = case.id in history
        return (1 if known else 0, -history.get(case.id, 0), case.position, case.name)

    return sorted(cases, key=key)


# ---- settings resolution ------------------------------------------------------------------
def _suite_chain(suite_id: uuid.UUID | None, suites_by_id: dict[uuid.UUID, Suite]) -> list[Suite]:
    chain: list[Suite] = []
    seen: set[uuid.UUID] = set()
    while suite_id is not None and suite_id in suites_by_id and suite_id not in seen:
        seen.add(suite_id)
        suite = suites_by_id[suite_id]
        chain.append(suite)
        suite_id = suite.parent_id
    return list(reversed(chain))  # root first


def effective_settings(project: Project, environment: Environment | None, case: TestCase,
                       suites_by_id: dict[uuid.UUID, Suite]) -> ExecutionSettings:
    """Environment < project < root suite < ... < the test's own suite (later layers win)."""
    env_layer: dict[str, Any] | None = None
    if environment is not None:
        env_layer = {"base_url": environment.base_url, "variables": dict(environment.variables or {}) or None}
        env_layer = {k: v for k, v in env_layer.items() if v}
    chain = _suite_chain(case.suite_id, suites_by_id)
    return resolve_settings(env_layer, project.settings or {}, *[s.settings or {} for s in chain])


def resolved_definition(case: TestCase, settings: ExecutionSettings) -> dict[str, Any]:
    """The test's native definition with the resolved settings filled in where the test itself
    sets nothing (the test's own options win; dicts merge with the test's keys winning)."""
    definition = case.definition()
    if "base_url" not in definition and settings.base_url:
        definition["base_url"] = settings.base_url
    if "timeout_ms" not in definition and settings.test_timeout_ms:
        definition["timeout_ms"] = settings.test_timeout_ms
    if "step_timeout_ms" not in definition and settings.step_timeout_ms:
        definition["step_timeout_ms"] = settings.step_timeout_ms
    if "viewport" not in definition and settings.viewport:
        definition["viewport"] = settings.viewport.model_dump()
    if settings.headers:
        definition["headers"] = {**settings.headers, **definition.get("headers", {})}
    if settings.variables:
        definition["variables"] = {**settings.variables, **definition.get("variables", {})}
    return definition


# ---- starting ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedTest:
    case: TestCase
    browser: Browser
    definition: dict[str, Any]


def plan_run(session: Session, project: Project, environment: Environment | None, selection: RunSelection,
             browsers: Sequence[Browser] | None) -> list[PlannedTest]:
    """Every (test, browser) job of a run, in execution order."""
    cases = select_tests(session, project.id, selection)
    if not cases:
        raise RunError("the selection matches no test cases")
    suites_by_id = {s.id: s for s in session.exec(select(Suite).where(Suite.project_id == project.id)).all()}
    history = duration_history(session, [c.id for c in cases])
    planned: list[PlannedTest] = []
    for case in order_longest_first(cases, history):
        settings = effective_settings(project, environment, case, suites_by_id)
        definition = resolved_definition(case, settings)
        for browser in (browsers or settings.browsers or [Browser.chromium]):
            planned.append(PlannedTest(case, Browser(browser), definition))
    return planned


def is_valid_text(value: str) -> bool:
    """False for text no database or JSON encoder takes (lone UTF-16 surrogates like \\ud800)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _browsers(browsers: Sequence[Browser | str] | None) -> list[Browser] | None:
    if not browsers:
        return None
    valid = [b.value for b in Browser]
    unknown = [str(b) for b in browsers if str(getattr(b, "value", b)) not in valid]
    if unknown:
        raise RunError(f"unknown browser {', '.join(repr(b) for b in unknown)}: choose from {', '.join(valid)}")
    return [Browser(b) for b in browsers]


def default_video(project: Project) -> VideoMode:
    """The project's video default for a new run."""
    configured = project.execution_settings().video
    if configured is not None:
        return VideoMode(configured)
    from traceiq_app.settings import get_settings

    return VideoMode.on if get_settings().run_video else VideoMode.off


def start_run(
    project_id: uuid.UUID,
    *,
    selection: RunSelection | dict[str, Any] | None = None,
    environment_id: uuid.UUID | None = None,
    browsers: Sequence[Browser | str] | None = None,
    retries: int = 0,
    parallelism: int | None = None,
    timeout_s: int = 3600,
    trigger: RunTrigger = RunTrigger.api,
    user_id: uuid.UUID | None = None,
    token_id: uuid.UUID | None = None,
    schedule_id: uuid.UUID | None = None,
    rerun_of_id: uuid.UUID | None = None,
    branch: str | None = None,
    commit_sha: str | None = None,
    dispatch: bool = True,
    ci_url: str | None = None,
    pr: str | None = None,
    video: VideoMode | str | None = None,
) -> Run:
    """Create a run and its queued tests, publish `run.queued`, and enqueue the first jobs.

    `browsers` None: each test's resolved `browsers` setting (default chromium). `parallelism`
    None: no limit beyond the number of workers. `video` None: the project's default (its
    settings' `video`, else "on" when TRACEIQ_RUN_VIDEO is set, else "off"). Raises RunError for a
    bad request.
    """
    if isinstance(selection, dict):
        selection = RunSelection.model_validate(selection)
    selection = selection or RunSelection()
    browser_list = _browsers(browsers)
    if not 0 <= retries <= 5:
        raise RunError("retries must be between 0 and 5")
    if parallelism is not None and not 1 <= parallelism <= UNLIMITED_PARALLELISM:
        raise RunError(f"parallelism must be between 1 and {UNLIMITED_PARALLELISM}")
    for field, value in (("branch", branch), ("commit_sha", commit_sha)):
        if value is not None and not is_valid_text(value):
            raise RunError(f"{field}: contains characters that are not valid Unicode (a lone surrogate)")
    if video is not None and str(video) not in {m.value for m in VideoMode}:
        raise RunError(f"video: choose off, failures (on failure) or on (always), not {str(video)!r}")
    with session_scope() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise RunError("project not found")
        video_mode = VideoMode(str(video)) if video is not None else default_video(project)
        environment = None
        if environment_id is not None:
            environment = session.get(Environment, environment_id)
            if environment is None or environment.project_id != project.id:
                raise RunError("environment not found in this project")
        planned = plan_run(session, project, environment, selection, browser_list)
        run = Run(
            project_id=project.id,
            environment_id=environment_id,
            retries=retries,
            parallelism=parallelism or UNLIMITED_PARALLELISM,
            timeout_s=timeout_s,
            branch=branch,
            commit_sha=commit_sha,
            ci_url=ci_url,
            pr=pr,
            selection=selection.to_json(),
            browsers=sorted({p.browser.value for p in planned}, key=[b.value for b in Browser].index),
            trigger=trigger,
            triggered_by_user_id=user_id,
            triggered_by_token_id=token_id,
            schedule_id=schedule_id,
            rerun_of_id=rerun_of_id,
            status=RunStatus.queued,
            video=video_mode,
            total=len(planned),
        )
        session.add(run)
        session.flush()
        # UUIDv7 ids made by one process only grow: id order IS the planned execution order.
        results = [
            TestResult(run_id=run.id, test_case_id=p.case.id, test_name=p.case.name, browser=p.browser,
                       attempt=1, status=TestResultStatus.queued, definition=p.definition)
            for p in planned
        ]
        session.add_all(results)
        session.flush()
        tests_payload = [
            {"test_result_id": str(r.id), "test_case_id": str(r.test_case_id), "name": r.test_name,
             "browser": r.browser.value}
            for r in results
        ]
    live_events.publish(run.id, live_events.RUN_QUEUED, status=RunStatus.queued.value, total=run.total,
                        tests=tests_payload, trigger=run.trigger.value)
    if dispatch:
        from traceiq_app.services.runs.orchestration import dispatch as dispatch_jobs

        dispatch_jobs(run.id)
    return run


# ---- reading -----------------------------------------------------------------------------
def get_run(run_id: uuid.UUID) -> Run | None:
    with session_scope() as session:
        return session.get(Run, run_id)


def run_results(run_id: uuid.UUID) -> list[TestResult]:
    """Every attempt of a run, in execution order."""
    with session_scope() as session:
        return list(session.exec(
            select(TestResult).where(TestResult.run_id == run_id).order_by(col(TestResult.id))
        ).all())


def step_results(test_result_id: uuid.UUID) -> list[StepResult]:
    with session_scope() as session:
        return list(session.exec(
            select(StepResult).where(StepResult.test_result_id == test_result_id)
            .order_by(col(StepResult.step_index))
        ).all())


def run_detail(run_id: uuid.UUID) -> dict[str, Any] | None:
    """The run with its attempts (JSON-able), for the API."""
    from traceiq_app.models import RunPublic

    run = get_run(run_id)
    if run is None:
        return None
    data: dict[str, Any] = RunPublic.model_validate(run.model_dump()).model_dump(mode="json")
    data["results"] = [
        {
            "id": str(r.id), "test_case_id": str(r.test_case_id) if r.test_case_id else None,
            "test_name": r.test_name, "browser": r.browser.value, "attempt": r.attempt,
            "status": r.status.value, "error": r.error, "failed_step": r.failed_step,
            "duration_ms": r.duration_ms, "worker_id": r.worker_id,
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        }
        for r in run_results(run_id)
    ]
    return data


# ---- cancelling --------------------------------------------------------------------------
def cancel_run(run_id: uuid.UUID, status: RunStatus = RunStatus.cancelled, reason: str | None = None) -> Run | None:
    """End a run as `cancelled` (or `timed_out`): queued tests are removed from the queue and
    marked cancelled, running ones are told to stop (workers abort within a fraction of a
    second and record them as cancelled). Idempotent; a finished run is returned unchanged."""
    from traceiq_app.services.runs import orchestration
    from traceiq_app.services.runs import results as results_service
    from traceiq_app.services.runs.artifacts import finalize_artifacts

    reason = reason or ("run cancelled" if status == RunStatus.cancelled else "run timed out")
    with session_scope() as session:
        orchestration.lock_run(session, run_id)
        run = session.get(Run, run_id)
        if run is None or RunStatus(run.status).is_final:
            return run
        now = utcnow()
        open_rows = list(session.exec(select(TestResult).where(
            TestResult.run_id == run_id,
            col(TestResult.status).in_([TestResultStatus.queued.value, TestResultStatus.running.value]))).all())
        job_ids = [r.rq_job_id for r in open_rows if r.rq_job_id and r.status == TestResultStatus.queued]
        # Running tests end here too, so `run.finished` carries the final totals and is the last
        # run-level event; their workers abort within a fraction of a second, and only stamp
        # the artifacts they still upload (`finish_attempt` finds the attempt already ended).
        stopped = []
        for result in open_rows:
            if result.status == TestResultStatus.running:
                stopped.append(result)
                if result.started_at is not None:
                    result.duration_ms = int((now - result.started_at).total_seconds() * 1000)
            result.status = TestResultStatus.cancelled
            result.finished_at = now
            result.error = reason
        stopped_payloads: list[dict[str, Any]] = [
            {"test_result_id": str(r.id), "test_case_id": str(r.test_case_id), "name": r.test_name,
             "browser": str(r.browser), "attempt": r.attempt, "status": TestResultStatus.cancelled.value,
             "error": reason, "failed_step": None, "duration_ms": r.duration_ms}
            for r in stopped
        ]
        run.status = status
        run.finished_at = now
        run.duration_ms = int((now - (run.started_at or run.created_at)).total_seconds() * 1000)
        session.flush()
        for result in stopped:  # artifacts stored so far; the worker stamps any it stores later
            finalize_artifacts(session, result.id, TestResultStatus.cancelled, now)
        results_service.recount(session, run)
        results_service.close_analytics(session, run)
        summary = results_service.run_summary(run)
    orchestration.signal_stop(run_id, reason)
    orchestration.remove_jobs(job_ids)
    for payload in stopped_payloads:
        live_events.publish(run_id, live_events.TEST_FINISHED, **payload)
    live_events.publish(run_id, live_events.RUN_FINISHED, **summary, reason=reason)
    live_events.expire_stream(run_id)
    from traceiq_app.services.runs.notify_hooks import run_ended

    run_ended(run_id)
    return run
