"""Schemathesis over every /api/v1 operation of the running app (started as `make run` does),
with a valid token: generated requests (valid and invalid) never get a 5xx, and every answer
matches the OpenAPI document (status code, content type, body schema). Bounded examples per
operation so it fits in `make test`."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.processes import base_env

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.slow, pytest.mark.timeout(900)]  # the first app test pays the build

TRACEIQ = str(Path(sys.executable).parent / "traceiq")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 5


def _token(app_server) -> str:  # type: ignore[no-untyped-def]
    env = base_env(TRACEIQ_DATA_DIR=str(app_server.data_dir), REDIS_URL=app_server.redis.url)
    email = f"fuzz-{uuid.uuid4().hex[:8]}@fuzz.test"
    for args in (["admin", "create-user", "--email", email, "--password", "fuzzing password 1",
                  "--org", f"Fuzz {uuid.uuid4().hex[:6]}"],
                 ["admin", "create-token", "--email", email, "--name", "fuzz", "--scope", "write", "--scope", "run"]):
        done = subprocess.run([TRACEIQ, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_every_api_v1_operation_conforms_to_its_schema(app_server):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {_token(app_server)}"}
    # Something to list: a project with a test.
    project = httpx.post(f"{app_server.url}/api/v1/projects", json={"name": "Fuzzed"}, headers=headers, timeout=30)
    assert project.status_code == 201, project.text
    schema = schemathesis.openapi.from_url(f"{app_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25  # every /api/v1 route is in the document
    failures: list[str] = []
    calls = 0
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def check(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            case.call_and_validate(base_url=app_server.url, headers=headers, checks=CHECKS, timeout=30)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report all
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
    assert calls >= len(operations)
