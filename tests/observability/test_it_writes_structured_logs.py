"""TRACEIQ_LOG_FORMAT=json: a worker writes one JSON object per line with time, level, logger,
message and the ids in scope (run, test result, worker); a run's secret values appear in none of
its lines. HTTP requests carry a request id (the caller's X-Request-ID when sane), returned in
the response and bound to every line written while serving it."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from tests.runs.conftest import goto
from traceiq_app.models import Environment
from traceiq_app.services.observability import logs
from traceiq_app.services.platform.secrets_crypto import encrypt_secrets
from traceiq_app.services.runs.control import start_run

SECRET = "sup3r-s3cret-t0ken-value"


def test_it_writes_json_lines_with_run_ids_and_no_secret(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    stack.configure(TRACEIQ_LOG_FORMAT="json")
    project = stack.project(site_url)
    env_id = stack.environment(project, base_url=site_url).id
    with stack.session() as s:
        env = s.get(Environment, env_id)
        env.secrets_encrypted = encrypt_secrets({"API_KEY": SECRET})
        env.secret_names = ["API_KEY"]
        s.add(env)
        s.commit()
    stack.test_case(project, "leaky", [goto("/index.html?token=${API_KEY}"),
                                       {"action": "assert_title", "expected": "${API_KEY}", "timeout_ms": 500}])
    worker = stack.start_worker()
    run = start_run(project.id, environment_id=env_id)
    done = stack.wait_run(run.id, timeout=90)
    assert str(done.status) == "failed"

    text = worker.log()
    assert SECRET not in text
    records = []
    for line in text.splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    assert len(records) >= 3, text[-3000:]
    for record in records:
        assert {"time", "level", "logger", "message", "process"} <= record.keys(), record
        assert record["process"] == "worker"
    claimed = [r for r in records if "claimed" in r["message"]]
    assert claimed and claimed[0]["run_id"] == str(run.id)
    assert claimed[0]["worker"] == worker.name and re.fullmatch(r"[0-9a-f-]{36}", claimed[0]["test_result_id"])


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    monkeypatch.setattr(logs, "_configured", None)
    monkeypatch.setattr("sys.stderr", stream)
    logs.configure("web", fmt="json")
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_traceiq", False)]:
        root.removeHandler(handler)


def test_it_returns_and_logs_request_ids(json_logs) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.api.app import create_api

    api = create_api()

    @api.get("/api/_log_probe")
    def probe() -> dict[str, str]:
        logging.getLogger("traceiq.probe").warning("probing")
        return {}

    client = TestClient(api)
    given = client.get("/api/_log_probe", headers={"X-Request-ID": "ci-run-42.7"})
    assert given.headers["x-request-id"] == "ci-run-42.7"
    fresh = client.get("/api/health")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    weird = client.get("/api/health", headers={"X-Request-ID": "x" * 500})
    assert re.fullmatch(r"[0-9a-f]{32}", weird.headers["x-request-id"])

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.startswith("{")]
    probe_lines = [line for line in lines if line.get("message") == "probing"]
    assert probe_lines and probe_lines[0]["request_id"] == "ci-run-42.7"
    assert probe_lines[0]["level"] == "warning" and probe_lines[0]["logger"] == "traceiq.probe"
