"""Permission-matrix entries for the Schedules page, in the format of
tests/accounts/permission_matrix.py (merged there). Each driver makes a schedule of Acme's
project just before the call; "Run now" goes through the matrix's real redis-server and checks
that RQ holds exactly the jobs of the runs the call created."""

from __future__ import annotations

from typing import Any

from tests.accounts.permission_matrix import _PUBLIC_SETVAR, EDITORS, EVERYONE, MEMBERS, H, MatrixContext
from tests.runs.runs_matrix import _assert_jobs_match_new_runs, _on_project, _real_queue, _run, _run_ids


def _schedule(ctx: MatrixContext) -> str:
    from traceiq_app.services.runs import schedules

    return str(schedules.create_schedule(ctx.project_id, "Matrix nightly", "0 6 * * *").id)


def _with_schedule(state: Any, ctx: MatrixContext) -> tuple[Any, str]:
    schedule_id = _schedule(ctx)
    _on_project(state, ctx).rows = [{"id": schedule_id, "name": "Matrix nightly", "cron": "0 6 * * *",
                                     "timezone": "UTC", "suite_id": "", "tags": "", "environment_id": "",
                                     "browsers": "chromium", "retries": "0"}]
    return state, schedule_id


def _save_new(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx)
    state.editing = "new"
    state.form = {"name": "Matrix weekly", "cron": "0 7 * * 1", "timezone": "Europe/Berlin", "browsers": "chromium",
                  "retries": "1", "suite_id": "none", "environment_id": "none", "tags": ""}
    return state.save()


def _save_edit(state: Any, ctx: MatrixContext) -> Any:
    state, schedule_id = _with_schedule(state, ctx)
    state.editing = schedule_id
    state.form = {"name": "Renamed", "cron": "0 8 * * *", "timezone": "UTC", "browsers": "chromium", "retries": "0"}
    return state.save()


def _run_now(state: Any, ctx: MatrixContext) -> Any:
    _run(ctx)  # the project needs a test case
    state, schedule_id = _with_schedule(state, ctx)
    before = _run_ids(ctx)
    with _real_queue(ctx) as client:
        result = state.run_now(schedule_id)
        _assert_jobs_match_new_runs(client, ctx, before)
    return result


OWN_FORM = H(EVERYONE, None, public=True, note="edits/closes this tab's own form; reads no data")

SCHEDULE_HANDLERS: dict[str, H] = {
    "SchedulesState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "SchedulesState.new_schedule": H(EDITORS, lambda s, c: _on_project(s, c).new_schedule()),
    "SchedulesState.edit": H(EDITORS, lambda s, c: (lambda st, sid: st.edit(sid))(*_with_schedule(s, c))),
    "SchedulesState.save": H(EDITORS, _save_new, note="create"),
    "SchedulesState.toggle": H(EDITORS, lambda s, c: (lambda st, sid: st.toggle(sid, False))(*_with_schedule(s, c))),
    "SchedulesState.delete": H(EDITORS, lambda s, c: (lambda st, sid: st.delete(sid))(*_with_schedule(s, c))),
    "SchedulesState.run_now": H(EDITORS, _run_now),
    "SchedulesState.set_field": OWN_FORM,
    "SchedulesState.cancel_edit": OWN_FORM,
    "SchedulesState.setvar": _PUBLIC_SETVAR,
}
