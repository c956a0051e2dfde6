"""The execution settings form: typed text to settings JSON and back, with messages for people;
saving a folder's settings needs suite.write (bob, an editor), the project's project.update."""

from __future__ import annotations

import pytest

from tests.accounts import matrix_support as ms
from traceiq_app.services.catalog import projects, suites
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.catalog.settings_forms import parse_settings_form, settings_to_form
from traceiq_app.state.catalog.execution_settings import ExecutionSettingsState

FORM = {
    "base_url": " https://shop.example.test ", "headers": "X-Team: checkout\n# a comment\nAccept: text/html",
    "variables": "USER=alice\nEMPTY=", "cookies": "sid=abc; domain=shop.example.test; secure\nlang=en",
    "viewport": "1280 x 800", "test_timeout_ms": "60000", "step_timeout_ms": "", "navigation_timeout_ms": "",
    "video": "failures", "browser:chromium": "on", "browser:webkit": "on",
}


def test_it_turns_the_form_into_settings_and_back() -> None:
    data = parse_settings_form(FORM)
    assert data == {
        "base_url": "https://shop.example.test", "headers": {"X-Team": "checkout", "Accept": "text/html"},
        "variables": {"USER": "alice", "EMPTY": ""},
        "cookies": [{"name": "sid", "value": "abc", "domain": "shop.example.test", "path": "/", "secure": True,
                     "http_only": False},
                    {"name": "lang", "value": "en", "url": "https://shop.example.test", "path": "/", "secure": False,
                     "http_only": False}],
        "viewport": {"width": 1280, "height": 800}, "test_timeout_ms": 60000, "browsers": ["chromium", "webkit"],
        "video": "failures",
    }
    back = settings_to_form(data)
    assert back["viewport"] == "1280x800" and back["browsers"] == "chromium,webkit" and back["video"] == "failures"
    assert back["cookies"] == "sid=abc; domain=shop.example.test; secure\nlang=en"
    assert parse_settings_form({**back, "browser:chromium": "on", "browser:webkit": "on"}) == data
    assert parse_settings_form({}) == {}  # everything inherited


@pytest.mark.parametrize(("field", "value", "message"), [
    ("base_url", "shop.example.test", "base URL: must start with http:// or https://"),
    ("headers", "no colon here", "headers, line 1: write Name: value"),
    ("variables", "OK=1\n2BAD=x", "variables, line 2: write NAME=value"),
    ("cookies", "sid=abc", "cookies, line 1: add ; domain=example.com"),
    ("cookies", "sid=abc; samesite=lax; domain=x.test", "cookies, line 1: unknown attribute 'samesite'"),
    ("viewport", "wide", "viewport: write WIDTHxHEIGHT"),
    ("viewport", "0x800", "viewport: write WIDTHxHEIGHT"),
    ("step_timeout_ms", "5s", "step timeout ms: a whole number of milliseconds"),
    ("step_timeout_ms", "0", "step timeout ms: must be at least 1"),
    ("video", "sometimes", "video: choose inherit, off, on failure or always"),
])
def test_it_explains_each_problem(field: str, value: str, message: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_settings_form({field: value})
    assert raised.value.message.startswith(message), raised.value.message


def test_a_folder_needs_suite_write_and_the_project_project_update(personas) -> None:  # type: ignore[no-untyped-def]
    pid = personas.project.id
    folder = suites.create_suite(pid, "Checkout")

    def state(user_id, layer: str) -> ExecutionSettingsState:  # type: ignore[no-untyped-def]
        s = ms.state_for(ExecutionSettingsState, ms.session_cookie(user_id))
        s.pid, s.layer = str(pid), layer
        return s

    bob_folder = state(personas.bob.id, str(folder.id))
    bob_folder.save({"variables": "USER=bob"})
    assert bob_folder.form_error == "" and suites.suite_settings(pid, folder.id) == {"variables": {"USER": "bob"}}
    before = projects.get_project(pid).settings
    bob_project = state(personas.bob.id, "project")
    bob_project.save({"base_url": "https://bob.example.test"})
    assert "needs the admin role" in bob_project.form_error and projects.get_project(pid).settings == before
    assert bob_project.values["base_url"] == "https://bob.example.test"  # what he typed stays
    charlie = state(personas.charlie.id, str(folder.id))
    charlie.save({"variables": "USER=charlie"})
    assert charlie.form_error and suites.suite_settings(pid, folder.id) == {"variables": {"USER": "bob"}}
