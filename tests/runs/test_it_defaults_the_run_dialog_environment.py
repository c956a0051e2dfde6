"""The run dialog starts with an environment: the user's last choice for this project (kept per
user and project), else the project's only environment, else none. A relative URL without a
base URL fails with a message that says what to do."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.accounts import matrix_support as ms
from tests.factories import make_test_case
from traceiq_app.db import get_engine
from traceiq_app.models import Project
from traceiq_app.services.catalog import environments
from traceiq_app.settings import reset_settings_cache
from traceiq_app.state.runs.run_dialog import RunDialogState


@pytest.fixture
def with_redis(personas, redis_server, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    reset_settings_cache()
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, personas.project.id)
        assert project is not None
        make_test_case(s, project, "Home")
        s.commit()
    yield personas
    reset_settings_cache()


def _dialog(user_id) -> RunDialogState:  # type: ignore[no-untyped-def]
    return ms.state_for(RunDialogState, ms.session_cookie(user_id))


def test_it_preselects_the_only_environment_then_the_last_choice(with_redis) -> None:  # type: ignore[no-untyped-def]
    personas = with_redis
    pid = personas.project.id
    dialog = _dialog(personas.alice.id)
    dialog.open_dialog(str(pid))
    assert dialog.env_default == "none"  # no environment yet

    staging = environments.create_environment(None, pid, "staging", base_url="https://staging.example.test")
    dialog.open_dialog(str(pid))
    assert dialog.env_default == str(staging.id)  # the only one

    prod = environments.create_environment(None, pid, "prod", base_url="https://example.test")
    dialog.open_dialog(str(pid))
    assert dialog.env_default == "none"  # two and no choice yet: none is assumed

    dialog.start({"environment_id": str(prod.id), "retries": "0", "browser:chromium": "on"})
    dialog.open_dialog(str(pid))
    assert dialog.env_default == str(prod.id)  # remembered for alice and this project
    bob = _dialog(personas.bob.id)
    bob.open_dialog(str(pid))
    assert bob.env_default == "none"  # not for bob

    environments.delete_environment(None, pid, prod.id)
    dialog.open_dialog(str(pid))
    assert dialog.env_default == str(staging.id)  # a deleted choice is forgotten


def test_it_says_what_to_do_about_a_relative_url_without_a_base() -> None:
    from traceiq_app.engine.errors import StepFailed
    from traceiq_app.engine.urls import resolve_url

    with pytest.raises(StepFailed, match="choose an environment for the run or set the project's base URL"):
        resolve_url("/login", None, None)
