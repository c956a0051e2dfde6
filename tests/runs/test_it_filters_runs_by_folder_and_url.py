"""The runs list's folder filter finds every run that ran a test of the folder or its
sub-folders (a whole-project run, a rerun of a folder run), not only runs whose selection named
it; the filters come from and go to the page's URL (?status=failed&folder=<id>)."""

from __future__ import annotations

from sqlmodel import Session

from tests.accounts import matrix_support as ms
from tests.factories import make_run, make_suite, make_test_case, make_test_result
from traceiq_app.db import get_engine
from traceiq_app.models import RunStatus, RunTrigger, TestResultStatus
from traceiq_app.services.runs import views as run_views
from traceiq_app.services.runs.views import RunFilters
from traceiq_app.state.runs.runs_list import RunsListState


def _seed(personas) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        todo = make_suite(s, personas.project, name="Todo")
        inner = make_suite(s, personas.project, name="Archive", parent=todo)
        other = make_suite(s, personas.project, name="Search")
        add = make_test_case(s, personas.project, "Add an item", suite=todo)
        old = make_test_case(s, personas.project, "Old item", suite=inner)
        find = make_test_case(s, personas.project, "Find", suite=other)
        whole = make_run(s, personas.project, status=RunStatus.failed, selection={"suite_ids": [], "test_ids": [],
                                                                                 "tags": []})
        for case in (add, find):
            make_test_result(s, whole, case, status=TestResultStatus.failed)
        folder_run = make_run(s, personas.project, status=RunStatus.failed,
                              selection={"suite_ids": [str(todo.id)], "test_ids": [], "tags": []})
        rerun = make_run(s, personas.project, trigger=RunTrigger.rerun, status=RunStatus.passed,
                         selection={"suite_ids": [], "test_ids": [str(old.id)], "tags": []})
        make_test_result(s, rerun, old, status=TestResultStatus.passed)
        search_only = make_run(s, personas.project, status=RunStatus.passed,
                               selection={"suite_ids": [str(other.id)], "test_ids": [], "tags": []})
        make_test_result(s, search_only, find, status=TestResultStatus.passed)
        s.commit()
        return {"todo": str(todo.id), "inner": str(inner.id), "whole": str(whole.id), "folder_run": str(folder_run.id),
                "rerun": str(rerun.id), "search_only": str(search_only.id), "other": str(other.id)}


def _ids(personas, **filters: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.id for r in run_views.list_runs(personas.project.id, RunFilters(**filters)).rows}


def test_it_finds_every_run_of_a_folder(personas) -> None:  # type: ignore[no-untyped-def]
    ids = _seed(personas)
    assert _ids(personas, suite_id=ids["todo"]) == {ids["whole"], ids["folder_run"], ids["rerun"]}
    assert _ids(personas, suite_id=ids["inner"]) == {ids["rerun"]}
    assert _ids(personas, suite_id=ids["other"]) == {ids["whole"], ids["search_only"]}
    assert _ids(personas, suite_id=ids["todo"], status="failed") == {ids["whole"], ids["folder_run"]}


def test_it_reads_and_writes_the_filters_in_the_url(personas) -> None:  # type: ignore[no-untyped-def]
    ids = _seed(personas)
    path = f"/projects/{personas.project.id}/runs"
    state = ms.state_for(RunsListState, ms.session_cookie(personas.bob.id), f"{path}?status=failed&folder={ids['todo']}")
    state.load()
    assert (state.f_status, state.f_suite) == ("failed", ids["todo"])
    assert {r["id"] for r in state.rows} == {ids["whole"], ids["folder_run"]}
    event = state.apply_filters({"status": "passed", "suite_id": ids["todo"], "trigger": "all"})
    assert {r["id"] for r in state.rows} == {ids["rerun"]}
    assert f"?status=passed&folder={ids['todo']}" in str(event) and "replaceState" in str(event)
    state.clear_filters()
    assert len(state.rows) == 4
    bogus = ms.state_for(RunsListState, ms.session_cookie(personas.bob.id), f"{path}?status=nonsense")
    bogus.load()
    assert bogus.f_status == "all" and len(bogus.rows) == 4
