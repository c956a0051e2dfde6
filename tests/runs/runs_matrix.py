"""Permission-matrix entries for the run pages (runs list, run dialog, live run page) and the
trace viewer route, in the format of tests/accounts/permission_matrix.py, which merges them
with `HANDLERS.update(RUNS_HANDLERS)` / `ROUTES.update(RUNS_ROUTES)`.

Runs are made in Acme's project just before the handler runs (runs are not part of the Acme
fingerprint). Starting, cancelling and rerunning runs go through the real queue: for those calls
the app points at the matrix's own redis-server (`ctx.redis_url`, emptied first), and the driver
checks afterwards that Redis holds exactly what the database says (jobs of new runs enqueued,
stop signal and job removal for a cancelled run; nothing for a refused call). The routes that
start a run and read a run's live events do the same through `R(around=...)`. Other handlers run
without Redis (live events are best-effort and never raise).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import redis
from sqlmodel import Session, col, select

from tests.accounts.permission_matrix import (
    _PUBLIC_SETVAR,
    EDITORS,
    EVERYONE,
    MEMBERS,
    PATH_VALUES,
    H,
    MatrixContext,
    R,
)
from traceiq_app.db import get_engine
from traceiq_app.models import Run, RunStatus, RunTrigger, TestCase, TestResult, TestResultStatus


@contextlib.contextmanager
def _real_queue(ctx: MatrixContext) -> Iterator[redis.Redis]:
    """The app's Redis is the matrix's own redis-server for the duration of the call."""
    from traceiq_app.redis_conn import get_redis
    from traceiq_app.settings import reset_settings_cache

    assert ctx.redis_url, "the matrix fixture must start a redis-server (ctx.redis_url)"
    previous = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = ctx.redis_url
    reset_settings_cache()
    try:
        client = get_redis()
        client.flushall()
        yield client
    finally:
        if previous is None:
            os.environ.pop("REDIS_URL", None)
        else:
            os.environ["REDIS_URL"] = previous
        reset_settings_cache()


def _run_ids(ctx: MatrixContext) -> set[uuid.UUID]:
    with Session(get_engine()) as s:
        return set(s.exec(select(Run.id).where(Run.project_id == ctx.project_id)).all())


def _assert_jobs_match_new_runs(client: redis.Redis, ctx: MatrixContext, before: set[uuid.UUID]) -> None:
    """What RQ holds is exactly the jobs of the runs this call created (none when refused)."""
    from traceiq_app.services.runs.orchestration import queue

    new_runs = _run_ids(ctx) - before
    with Session(get_engine()) as s:
        expected = set(s.exec(select(TestResult.rq_job_id).where(
            col(TestResult.run_id).in_(new_runs), col(TestResult.rq_job_id).is_not(None))).all()) if new_runs else set()
    enqueued = set(queue(client).job_ids)
    assert enqueued == expected, f"RQ holds {enqueued}, the database expects {expected}"
    assert bool(new_runs) == bool(enqueued), "a new run without queued jobs (or jobs without a run)"


def _run(ctx: MatrixContext, status: RunStatus = RunStatus.failed) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name="Matrix run test", steps=[{"action": "goto", "url": "/"}])
        s.add(case)
        s.flush()
        run = Run(project_id=ctx.project_id, trigger=RunTrigger.ui, status=status, total=1, failed=1)
        s.add(run)
        s.flush()
        s.add(TestResult(run_id=run.id, test_case_id=case.id, test_name=case.name,
                         status=TestResultStatus.failed if status.is_final else TestResultStatus.queued))
        s.commit()
        return str(run.id)


def _on_project(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


def _on_run(state: Any, ctx: MatrixContext, status: RunStatus = RunStatus.failed) -> Any:
    state.run_id, state.run_pid = _run(ctx, status), str(ctx.project_id)
    return state


def _live_load(state: Any, ctx: MatrixContext) -> Any:
    run_id = _run(ctx)
    root = state._get_root_state()
    root.router_data["pathname"] = root.router_data["asPath"] = f"/runs/{run_id}"
    from reflex.istate.data import RouterData

    root.router = RouterData.from_router_data(root.router_data)
    return state.load()


def _follow(state: Any, ctx: MatrixContext) -> Any:
    # A finished run and no Redis: the task authorizes, then gives up reading and ends.
    _on_run(state, ctx, RunStatus.passed)
    state.status = "passed"
    return asyncio.run(type(state).event_handlers["follow"].fn(state))


def _dialog_start(state: Any, ctx: MatrixContext) -> Any:
    state.dpid = str(ctx.project_id)
    _run(ctx)  # the project needs a test case
    before = _run_ids(ctx)
    with _real_queue(ctx) as client:
        result = state.start({"browser:chromium": "on", "retries": "0"})
        _assert_jobs_match_new_runs(client, ctx, before)
    return result


def _run_one_test(state: Any, ctx: MatrixContext) -> Any:
    _run(ctx)  # the project's test case
    with Session(get_engine()) as s:
        case_id = s.exec(select(TestCase.id).where(col(TestCase.project_id) == ctx.project_id)).first()
    before = _run_ids(ctx)
    with _real_queue(ctx) as client:
        result = state.run_test(str(ctx.project_id), str(case_id))
        _assert_jobs_match_new_runs(client, ctx, before)
    return result


def _cancel(state: Any, ctx: MatrixContext) -> Any:
    from traceiq_app.services.runs.orchestration import dispatch, queue, stop_key

    _on_run(state, ctx, RunStatus.running)
    with _real_queue(ctx) as client:
        queued = dispatch(uuid.UUID(state.run_id))  # its test really waits in RQ
        assert queued and len(queue(client)) == 1
        result = state.cancel()
        with Session(get_engine()) as s:
            run = s.get(Run, uuid.UUID(state.run_id))
            assert run is not None
            cancelled = run.status == RunStatus.cancelled
        assert bool(client.exists(stop_key(state.run_id))) == cancelled, "stop signal and run status disagree"
        assert len(queue(client)) == (0 if cancelled else 1), "queued job not removed (or removed when refused)"
    return result


def _rerun(state: Any, ctx: MatrixContext) -> Any:
    _on_run(state, ctx)
    before = _run_ids(ctx)
    with _real_queue(ctx) as client:
        result = state.rerun_failed()
        _assert_jobs_match_new_runs(client, ctx, before)
    return result


def _next_page(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx).next_cursor = "2026-11-01T00:00:00+00:00|" + _run(ctx)
    return state.next_page()


def _prev_page(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx).prev_cursors = [""]
    return state.prev_page()


OWN_VAR = H(EVERYONE, None, public=True, note="opens/closes this tab's dialog; no data")

RUNS_HANDLERS: dict[str, H] = {
    # --- traceiq_app.state.runs.runs_list ---------------------------------------------------------------
    "RunsListState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load(),
                            note="the project id comes from the URL; the state keeps the last one"),
    "RunsListState.apply_filters": H(MEMBERS, lambda s, c: _on_project(s, c).apply_filters({"status": "failed"})),
    "RunsListState.clear_filters": H(MEMBERS, lambda s, c: _on_project(s, c).clear_filters()),
    "RunsListState.next_page": H(MEMBERS, _next_page),
    "RunsListState.prev_page": H(MEMBERS, _prev_page),
    "RunsListState.setvar": _PUBLIC_SETVAR,
    # --- traceiq_app.state.runs.run_dialog ---------------------------------------------------------------
    "RunDialogState.open_dialog": H(EDITORS, lambda s, c: s.open_dialog(str(c.project_id))),
    "RunDialogState.open_with_tests": H(EDITORS, lambda s, c: s.open_with_tests(str(c.project_id), [])),
    "RunDialogState.start": H(EDITORS, _dialog_start),
    "RunDialogState.close_dialog": OWN_VAR,
    "RunDialogState.set_open": OWN_VAR,
    "RunDialogState.setvar": _PUBLIC_SETVAR,
    "RunTestState.run_test": H(EDITORS, _run_one_test),
    "RunTestState.setvar": _PUBLIC_SETVAR,
    # --- traceiq_app.state.runs.run_live -----------------------------------------------------------------
    "RunLiveState.load": H(MEMBERS, _live_load),
    "RunLiveState.follow": H(MEMBERS, _follow, note="background task: authorizes before reading the stream"),
    "RunLiveState.cancel": H(EDITORS, _cancel),
    "RunLiveState.rerun_failed": H(EDITORS, _rerun),
    "RunLiveState.setvar": _PUBLIC_SETVAR,
}

def _artifact(ctx: MatrixContext) -> str:
    """An Acme run with one stored screenshot artifact (bytes really in the configured storage)."""
    from traceiq_app.models import Artifact, ArtifactKind
    from traceiq_app.services.platform.storage import get_storage

    run_id = _run(ctx)
    key = f"matrix/{run_id}/shot.png"
    data = b"\x89PNG matrix"
    get_storage().put_bytes(key, data, "image/png")
    with Session(get_engine(), expire_on_commit=False) as s:
        artifact = Artifact(project_id=ctx.project_id, run_id=uuid.UUID(run_id), kind=ArtifactKind.screenshot,
                            storage_key=key, size_bytes=len(data), content_type="image/png")
        s.add(artifact)
        s.commit()
        return str(artifact.id)


def _test_case(ctx: MatrixContext) -> str:
    """A test case of Acme's project (what a started run selects)."""
    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name="Matrix API test", steps=[{"action": "goto", "url": "/"}])
        s.add(case)
        s.commit()
        return str(case.id)


PATH_VALUES["run_id"] = _run
PATH_VALUES["artifact_id"] = _artifact
PATH_VALUES["test_id"] = _test_case


@contextlib.contextmanager
def _start_over_api(ctx: MatrixContext, values: dict[str, str]) -> Iterator[Callable[[Any], None]]:
    """POST /api/v1/projects/{id}/runs with the real queue: an allowed call makes one run of the
    selected test whose job waits in RQ; a refused one makes no run and enqueues nothing."""
    before = _run_ids(ctx)
    with _real_queue(ctx) as client:
        def check(response: Any) -> None:
            _assert_jobs_match_new_runs(client, ctx, before)
            new_runs = _run_ids(ctx) - before
            if response.status_code >= 400:
                assert not new_runs, "a refused start made a run"
                return
            assert new_runs == {uuid.UUID(response.json()["id"])}
            with Session(get_engine()) as s:
                selected = set(s.exec(select(TestResult.test_case_id).where(col(TestResult.run_id).in_(new_runs))).all())
            assert selected == {uuid.UUID(values["test_id"])}, "the run does not run (only) the selected test"

        yield check


@contextlib.contextmanager
def _events_over_api(ctx: MatrixContext, values: dict[str, str]) -> Iterator[Callable[[Any], None]]:
    """GET /api/v1/runs/{id}/events (SSE) with a real stream: members read the event put there, nobody
    else sees it."""
    from traceiq_app.services.runs import live_events

    marker = f"matrix-event-{uuid.uuid4().hex}"
    with _real_queue(ctx) as client:
        # XADD directly: `publish` skips publishing for a while after an earlier failure.
        raw_id = client.xadd(live_events.stream_key(values["run_id"]), {
            "type": live_events.RUN_PROGRESS, "data": json.dumps({"run_id": values["run_id"], "note": marker})})
        entry_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)

        def check(response: Any) -> None:
            if response.status_code >= 400:
                assert marker not in response.text, "a refused reader got the run's events"
                return
            from tests.support.sse import parse_sse

            events, _comments = parse_sse(response.text)
            # The stream of a finished run: the event put there, then run.finished from the database.
            assert [(e.get("id"), e["event"], e["data"].get("note")) for e in events[:1]] == [
                (entry_id, live_events.RUN_PROGRESS, marker)]
            assert [e["event"] for e in events[1:]] == [live_events.RUN_FINISHED]

        yield check


@contextlib.contextmanager
def _rerun_over_api(ctx: MatrixContext, values: dict[str, str]) -> Iterator[Callable[[Any], None]]:
    """POST /api/v1/runs/{id}/rerun-failed with the real queue: an allowed call makes one new run
    whose job waits in RQ; a refused one makes none."""
    before = _run_ids(ctx)
    with _real_queue(ctx) as client:
        def check(response: Any) -> None:
            _assert_jobs_match_new_runs(client, ctx, before)
            new_runs = _run_ids(ctx) - before
            assert new_runs == (set() if response.status_code >= 400 else {uuid.UUID(response.json()["id"])})

        yield check


RUNS_ROUTES: dict[tuple[str, str], R] = {
    ("GET", "/api/v1/runs/{run_id}"): R(MEMBERS),
    ("POST", "/api/v1/runs/{run_id}/cancel"): R(EDITORS),  # a finished run: nothing to stop in Redis
    ("POST", "/api/v1/runs/{run_id}/rerun-failed"): R(EDITORS, around=_rerun_over_api),
    ("GET", "/api/v1/runs/{run_id}/junit"): R(MEMBERS),
    ("GET", "/api/v1/artifacts/{artifact_id}"): R(MEMBERS),
    ("GET", "/api/v1/runs/{run_id}/events"): R(MEMBERS, around=_events_over_api),
    ("GET", "/api/v1/projects/{project}/runs"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/runs"): R(
        EDITORS, json={"tests": ["{test_id}"], "browsers": ["chromium"]}, around=_start_over_api),
    # The viewer's own files are the open-source bundle; index.html redirects signed-out users to
    # sign-in; traces come only from the authorized artifact route.
    ("GET", "/trace-viewer/{path:path}"): R(EVERYONE, public=True),
}
