"""Malformed input gets a 4xx naming the field and the problem, never a 500 and never the value:
`retries: NaN`, a lone surrogate in `branch`, `events?last_id=abc` / `-1`, an audit offset past
64 bits, an oversized field. (The raw `setvar` websocket event: test_it_refuses_raw_setvar_events.py.)"""

from __future__ import annotations

import json

import pytest

from tests.accounts.conftest import *  # noqa: F403 - the account tests' fixtures (database, Redis, personas)
from tests.accounts.conftest import (
    ORIGIN,
    _cheap_argon2,  # noqa: F401 - autouse: cheap password hashing
    login,
    set_password,
)


@pytest.fixture
def client(with_redis: str, personas):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.factories import make_test_case
    from traceiq_app.api.app import create_api
    from traceiq_app.db import session_scope
    from traceiq_app.models import Project

    with session_scope() as s:
        project = s.get(Project, personas.project.id)
        assert project is not None
        make_test_case(s, project, "Sign in")  # so a run is planned and reaches the database
    set_password("alice@acme.test")
    with TestClient(create_api(), base_url=ORIGIN, raise_server_exceptions=False) as api:
        assert login(api, "alice@acme.test").status_code == 200
        yield api


def _raw_json(client, path: str, text: str):  # type: ignore[no-untyped-def]
    return client.post(path, content=text.encode("utf-8"),
                       headers={"Content-Type": "application/json", "Origin": ORIGIN})


def _assert_clear_4xx(response, field: str, *, status: int = 422) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert field in json.dumps(body), body
    return body  # type: ignore[no-any-return]


def test_it_answers_422_to_nan_retries(client, personas) -> None:  # type: ignore[no-untyped-def]
    response = _raw_json(client, f"/api/v1/projects/{personas.project.id}/runs", '{"retries": NaN}')
    _assert_clear_4xx(response, "retries")


def test_it_answers_4xx_to_a_lone_surrogate_in_branch(client, personas) -> None:  # type: ignore[no-untyped-def]
    response = _raw_json(client, f"/api/v1/projects/{personas.project.id}/runs",
                         '{"metadata": {"branch": "main\\ud800"}}')
    assert 400 <= response.status_code < 500, response.text[:500]
    assert "branch" in response.text


@pytest.mark.parametrize("last_id", ["abc", "-1", "1-2-3", "99999999999999999999999"])
def test_it_answers_422_to_a_bad_event_id(client, personas, last_id: str) -> None:  # type: ignore[no-untyped-def]
    run = client.post(f"/api/v1/projects/{personas.project.id}/runs", json={}, headers={"Origin": ORIGIN})
    assert run.status_code == 202, run.text
    response = client.get(f"/api/v1/runs/{run.json()['id']}/events", params={"last_event_id": last_id})
    body = _assert_clear_4xx(response, "last_event_id")
    assert last_id not in json.dumps(body)


def test_it_answers_422_to_an_audit_offset_past_64_bits(client, personas) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/audit", params={"org_id": str(personas.acme.id), "offset": str(2**63)})
    _assert_clear_4xx(response, "offset")


def test_it_names_the_field_without_repeating_the_value(client) -> None:  # type: ignore[no-untyped-def]
    secret = "hunter2-" + "x" * 200_000  # over the 1024-character limit of the password field
    response = client.post("/api/auth/login", json={"email": "alice@acme.test", "password": secret},
                           headers={"Origin": ORIGIN})
    body = _assert_clear_4xx(response, "password")
    assert "hunter2" not in response.text and len(response.content) < 2_000, body


def test_it_does_not_repeat_an_invalid_email_in_errors(client, personas) -> None:  # type: ignore[no-untyped-def]
    probe = "<b>not-an-email-PROBE</b>"
    response = client.post(f"/api/orgs/{personas.acme.id}/invites", json={"email": probe, "role": "member"},
                           headers={"Origin": ORIGIN})
    assert response.status_code == 400, response.text
    assert "email" in response.text and "PROBE" not in response.text
