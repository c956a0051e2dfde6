"""Environments keep secrets write-only (encrypted, never returned), and the effective settings
of a test say where every value comes from — the same values a run resolves."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from tests.support.webapp import principal_of
from traceiq_app.db import get_engine
from traceiq_app.models import Environment, Project, Suite, TestCase
from traceiq_app.services.catalog import environments, settings_resolution, suites, test_cases
from traceiq_app.services.catalog.projects import Invalid, NotFound, update_project_settings
from traceiq_app.services.runs import control as runs


def test_it_stores_secrets_encrypted_and_never_returns_them(personas_any) -> None:
    pid, actor = personas_any.project.id, principal_of(personas_any.alice)
    env = environments.create_environment(actor, pid, "staging", base_url="https://staging.example.test",
                                          variables={"USER": "qa"}, secrets={"PASSWORD": "hunter2-very-secret"})
    dumped = json.dumps(env.model_dump(mode="json"))
    assert "hunter2" not in dumped and env.secret_names == ["PASSWORD"]
    with Session(get_engine()) as s:
        row = s.exec(select(Environment)).one()
        assert row.secrets_encrypted and "hunter2" not in row.secrets_encrypted
    # an empty value keeps the stored secret; a new one is added; one can be removed
    environments.update_environment(actor, pid, env.id, secrets={"PASSWORD": "", "TOKEN": "t0k3n-value"})
    assert environments.environment_secrets(env.id) == {"PASSWORD": "hunter2-very-secret", "TOKEN": "t0k3n-value"}
    updated = environments.update_environment(actor, pid, env.id, remove_secrets=["TOKEN"])
    assert updated.secret_names == ["PASSWORD"]
    listed = environments.list_environments(pid)
    assert "hunter2" not in json.dumps([e.model_dump(mode="json") for e in listed])
    with Session(get_engine()) as s:  # the audit trail names the secrets, never the values
        from traceiq_app.models import AuditLog
        details = json.dumps([a.details for a in s.exec(select(AuditLog)).all()])
        assert "TOKEN" in details and "hunter2" not in details and "t0k3n" not in details

    with pytest.raises(Invalid, match="already exists"):
        environments.create_environment(actor, pid, "staging")
    with pytest.raises(Invalid, match="base URL"):
        environments.create_environment(actor, pid, "prod", base_url="ftp://x")
    with pytest.raises(Invalid, match="not a valid name"):
        environments.create_environment(actor, pid, "prod", secrets={"BAD NAME": "x"})
    with pytest.raises(NotFound):
        environments.update_environment(actor, personas_any.globex_project.id, env.id, name="pwned")


def test_it_resolves_settings_with_their_source_like_a_run_does(personas) -> None:
    pid, actor = personas.project.id, principal_of(personas.alice)
    update_project_settings(actor, pid, {"base_url": "https://shop.example.test", "headers": {"X-A": "project"},
                                         "variables": {"LANG": "en", "USER": "project-user"}, "step_timeout_ms": 5000})
    outer = suites.create_suite(pid, "Checkout")
    inner = suites.create_suite(pid, "Cards", outer.id)
    suites.update_suite_settings(pid, outer.id, {"headers": {"X-B": "outer"}, "step_timeout_ms": 7000})
    suites.update_suite_settings(pid, inner.id, {"variables": {"LANG": "de"}, "viewport": {"width": 800, "height": 600}})
    env = environments.create_environment(actor, pid, "staging", base_url="https://staging.example.test",
                                          variables={"USER": "env-user", "REGION": "eu"})
    case = test_cases.create_test_case(pid, "Pay", [{"action": "goto", "url": "/"}], suite_id=inner.id,
                                       options={"timeout_ms": 60000, "variables": {"USER": "test-user"}})

    rows = settings_resolution.effective_settings_for_test(pid, case.id, environment_id=env.id)
    by_name = {r.setting: (r.value, r.source) for r in rows}
    assert by_name["base_url"] == ("https://shop.example.test", "project")
    assert by_name["headers.X-A"] == ("project", "project")
    assert by_name["headers.X-B"] == ("outer", "suite Checkout")
    assert by_name["step_timeout_ms"] == ("7000", "suite Checkout")
    assert by_name["test_timeout_ms"] == ("60000", "test")
    assert by_name["variables.LANG"] == ("de", "suite Cards")
    assert by_name["variables.USER"] == ("test-user", "test")
    assert by_name["variables.REGION"] == ("eu", "environment staging")
    assert by_name["browsers"] == ('["chromium"]', "default")
    user_row = next(r for r in rows if r.setting == "variables.USER")
    assert user_row.overridden == ("project", "environment staging")

    # the same values the run service puts in the definition it executes
    with Session(get_engine()) as s:
        project, row = s.get(Project, pid), s.get(TestCase, case.id)
        by_id = {x.id: x for x in s.exec(select(Suite).where(Suite.project_id == pid)).all()}
        environment = s.get(Environment, env.id)
        assert project and row
        resolved = runs.resolved_definition(row, runs.effective_settings(project, environment, row, by_id))
    assert resolved["base_url"] == by_name["base_url"][0]
    assert resolved["timeout_ms"] == 60000 and resolved["step_timeout_ms"] == 7000
    assert resolved["variables"] == {"LANG": "de", "USER": "test-user", "REGION": "eu"}
    assert resolved["headers"] == {"X-A": "project", "X-B": "outer"}

    # without a project base URL the environment's shows, with its source
    update_project_settings(actor, pid, {})
    rows = settings_resolution.effective_settings_for_test(pid, case.id, environment_id=env.id)
    assert ("base_url", "https://staging.example.test", "environment staging") in [
        (r.setting, r.value, r.source) for r in rows]
    with pytest.raises(NotFound):
        settings_resolution.effective_settings_for_test(personas.globex_project.id, case.id)
