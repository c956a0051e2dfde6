"""The run API checks permissions on every route: members start, read and cancel runs;
read-only tokens cannot cancel; other organizations get 404; every change is audited."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from rq import Queue
from sqlmodel import select

from tests.runs.conftest import quick_steps
from tests.support.sse import parse_sse
from traceiq_app.models import AuditLog


def test_it_starts_and_cancels_runs_for_members_only(stack, site_url):
    from traceiq_app.api.app import create_api

    project = stack.project(site_url)
    for n in range(3):
        stack.test_case(project, f"t{n}", quick_steps())
    member = {"Authorization": f"Bearer {stack.token_for(project, 'alice@acme.test')}"}
    reader = {"Authorization": f"Bearer {stack.token_for(project, 'rita@acme.test', scopes=('read',))}"}
    outsider = {"Authorization": f"Bearer {stack.token_for(project, 'charlie@globex.test', member=False)}"}
    client = TestClient(create_api())

    assert client.post(f"/api/v1/projects/{project.id}/runs", json={}).status_code == 401
    assert client.post(f"/api/v1/projects/{project.id}/runs", json={}, headers=reader).status_code == 403
    assert client.post(f"/api/v1/projects/{project.id}/runs", json={"retries": 9}, headers=member).status_code == 422
    assert client.post(f"/api/v1/projects/{project.id}/runs", json={"tags": ["none"]},
                       headers=member).status_code == 422
    response = client.post(f"/api/v1/projects/{project.id}/runs", json={"parallelism": 2}, headers=member)
    assert response.status_code == 202
    run_id = response.json()["id"]
    queue = Queue("traceiq", connection=stack.redis.client())
    assert queue.count == 2  # parallelism 2: the third waits in the database

    assert client.get(f"/api/v1/runs/{run_id}", headers=reader).json()["status"] == "queued"
    assert client.get(f"/api/v1/runs/{uuid.uuid4()}", headers=member).status_code == 404
    assert client.post(f"/api/v1/runs/{run_id}/cancel", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/runs/{run_id}/cancel", headers=reader).status_code == 403

    cancelled = client.post(f"/api/v1/runs/{run_id}/cancel", headers=member).json()
    assert cancelled["status"] == "cancelled" and cancelled["totals"]["skipped"] == 3
    assert {t["status"] for t in cancelled["tests"]} == {"cancelled"}
    assert queue.count == 0
    events, _comments = parse_sse(client.get(f"/api/v1/runs/{run_id}/events", headers=reader).text)
    assert [e["event"] for e in events] == ["run.queued", "run.finished"]
    assert "alice@acme.test" in events[-1]["data"]["reason"]

    with stack.session() as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(AuditLog.object_id == run_id)).all()]
    assert sorted(actions) == ["run.cancel", "run.start"]
