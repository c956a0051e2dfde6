"""Execution settings are resolved before a worker sees the test (test > suite > parent suites
> project > environment) and the stored definition is exactly what ran."""

from __future__ import annotations

from tests.runs.conftest import goto, title_is
from traceiq_app.models import RunStatus
from traceiq_app.services.runs.control import start_run


def test_it_resolves_settings_in_precedence_order(stack, site_url):
    project = stack.project(site_url, variables={"PAGE": "project.html", "TITLE": "Runs home"},
                            step_timeout_ms=7000)
    env = stack.environment(project, base_url="http://127.0.0.1:9/unused",
                            variables={"PAGE": "env.html", "FROM_ENV": "yes"})
    outer = stack.suite(project, "Outer", settings={"variables": {"PAGE": "outer.html"}, "test_timeout_ms": 20_000})
    inner = stack.suite(project, "Inner", parent=outer, settings={"variables": {"PAGE": "next.html"}})
    case = stack.test_case(project, "resolved", [goto("/${PAGE}"), title_is("Next page"),
                                                 goto("/index.html"), title_is("${TITLE}")],
                           suite=inner, options={"variables": {"TITLE": "Runs home"}, "timeout_ms": 25_000})
    stack.start_worker()

    run = start_run(project.id, environment_id=env.id)
    done = stack.wait_run(run.id)
    assert done.status == RunStatus.passed, [r.error for r in stack.results(run.id)]

    (result,) = stack.results(run.id)
    definition = result.definition
    assert result.test_case_id == case.id
    assert definition["base_url"] == site_url  # project beats environment
    assert definition["variables"] == {"PAGE": "next.html", "TITLE": "Runs home", "FROM_ENV": "yes"}
    assert definition["timeout_ms"] == 25_000  # the test's own option beats the suite's
    assert definition["step_timeout_ms"] == 7000  # inherited from the project
