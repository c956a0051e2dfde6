"""Video is a per-run choice (off / failures / on), stored on the run and handed to the worker;
a run without a choice takes the project's `video` setting (else TRACEIQ_RUN_VIDEO). The run
dialog opens on the project's default and starts the run with the choice made there."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.accounts import matrix_support as ms
from tests.factories import make_test_case
from traceiq_app.db import get_engine
from traceiq_app.models import Project, Run, TestResult
from traceiq_app.services.catalog import projects
from traceiq_app.services.runs import control, orchestration
from traceiq_app.settings import reset_settings_cache
from traceiq_app.state.runs.run_dialog import RunDialogState


@pytest.fixture
def project(personas, redis_server, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    reset_settings_cache()
    with Session(get_engine(), expire_on_commit=False) as s:
        found = s.get(Project, personas.project.id)
        assert found is not None
        make_test_case(s, found, "Home")
        s.commit()
    yield personas
    reset_settings_cache()


def _video_of_claim(run: Run) -> str:
    with Session(get_engine()) as s:
        result = s.exec(select(TestResult).where(TestResult.run_id == run.id)).first()
        assert result is not None
        claimed = orchestration.claim(result.id, "w-test")
    assert claimed is not None
    return claimed.video


def test_it_stores_the_choice_and_hands_it_to_the_worker(project) -> None:  # type: ignore[no-untyped-def]
    pid = project.project.id
    assert control.start_run(pid, dispatch=False).video == "off"  # nothing chosen anywhere
    projects.update_project_settings(None, pid, {"video": "failures"})
    run = control.start_run(pid, dispatch=False)
    assert run.video == "failures"  # the project's default
    assert _video_of_claim(run) == "failures"
    chosen = control.start_run(pid, dispatch=False, video="on")
    assert chosen.video == "on" and _video_of_claim(chosen) == "on"
    with pytest.raises(control.RunError, match="video: choose off, failures"):
        control.start_run(pid, dispatch=False, video="sometimes")


def test_it_defaults_to_video_always_when_the_server_says_so(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACEIQ_RUN_VIDEO", "true")
    reset_settings_cache()
    assert control.start_run(project.project.id, dispatch=False).video == "on"


def test_the_dialog_opens_on_the_project_default_and_starts_with_the_choice(project) -> None:  # type: ignore[no-untyped-def]
    pid = project.project.id
    projects.update_project_settings(None, pid, {"video": "on"})
    dialog = ms.state_for(RunDialogState, ms.session_cookie(project.alice.id))
    dialog.open_dialog(str(pid))
    assert dialog.video_default == "on"
    dialog.start({"environment_id": "none", "retries": "0", "browser:chromium": "on", "video": "failures"})
    with Session(get_engine()) as s:
        runs = s.exec(select(Run).where(Run.project_id == pid)).all()
    assert [r.video for r in runs] == ["failures"]
