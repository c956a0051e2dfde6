"""Artifacts go through the storage interface to a real S3-compatible server (moto_server on
loopback; the bucket is created when missing) and come back only through the authorized
proxy route or a short-lived presigned URL. The run itself is started, followed and read
through the HTTP API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from minio import Minio
from sqlmodel import select

from tests.runs.conftest import goto, title_is
from tests.support.processes import moto_server
from tests.support.sse import parse_sse
from traceiq_app.models import Artifact, ArtifactKind, ArtifactOutcome, StepResult


@pytest.fixture
def s3_endpoint(tmp_path: Path) -> Iterator[str]:
    with moto_server(tmp_path) as endpoint:
        yield endpoint


def test_it_uploads_artifacts_to_s3_and_serves_them_only_to_members(stack, site_url, s3_endpoint):
    bucket = f"tiq-{uuid.uuid4().hex[:10]}"
    stack.configure(S3_ENDPOINT=s3_endpoint, S3_ACCESS_KEY="testing", S3_SECRET_KEY="testing",
                    S3_BUCKET=bucket, S3_REGION="us-east-1")
    minio = Minio(s3_endpoint.removeprefix("http://"), access_key="testing", secret_key="testing",
                  secure=False, region="us-east-1")
    assert not minio.bucket_exists(bucket)

    project = stack.project(site_url)
    stack.test_case(project, "fails", [goto("/index.html"), title_is("Not the title")])
    stack.test_case(project, "snaps", [goto("/index.html"), {"action": "screenshot", "label": "home"}])
    token = stack.token_for(project, "alice@acme.test")
    outsider = stack.token_for(project, "charlie@globex.test", member=False)
    stack.start_worker()

    from traceiq_app.api.app import create_api

    client = TestClient(create_api())
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post(f"/api/v1/projects/{project.id}/runs", json={"browsers": ["chromium"]}, headers=auth)
    assert response.status_code == 202, response.text
    run_id = uuid.UUID(response.json()["id"])
    assert client.post(f"/api/v1/projects/{project.id}/runs", json={},
                       headers={"Authorization": f"Bearer {outsider}"}).status_code == 404

    done = stack.wait_run(run_id, timeout=90)
    body = client.get(f"/api/v1/runs/{run_id}", headers=auth).json()
    assert body["status"] == "failed" and body["totals"]["passed"] == 1 and body["totals"]["failed"] == 1
    assert body["trigger"] == "api" and len(body["tests"]) == 2
    events, _comments = parse_sse(client.get(f"/api/v1/runs/{run_id}/events", headers=auth).text)
    assert events[-1]["event"] == "run.finished"
    assert client.get(f"/api/v1/runs/{run_id}", headers={"Authorization": f"Bearer {outsider}"}).status_code == 404

    with stack.session() as s:
        artifacts = list(s.exec(select(Artifact).where(Artifact.run_id == run_id)).all())
        failed_step = s.exec(select(StepResult).where(StepResult.status == "failed")).one()
    kinds = {a.kind for a in artifacts}
    assert {ArtifactKind.trace, ArtifactKind.failure_screenshot, ArtifactKind.screenshot} <= kinds
    assert minio.bucket_exists(bucket)
    for artifact in artifacts:
        stat = minio.stat_object(bucket, artifact.storage_key)
        assert stat.size == artifact.size_bytes > 0
        assert artifact.expires_at is not None
        days = 7 if artifact.outcome == ArtifactOutcome.passed else 30
        assert abs(artifact.expires_at - (done.finished_at + timedelta(days=days))) < timedelta(minutes=5)
    trace = next(a for a in artifacts if a.kind == ArtifactKind.trace)
    assert trace.outcome == ArtifactOutcome.failed
    shot = next(a for a in artifacts if a.kind == ArtifactKind.failure_screenshot)
    assert failed_step.screenshot_artifact_id == shot.id

    # Proxy download, for members only.
    response = client.get(f"/api/v1/artifacts/{trace.id}", headers=auth)
    assert response.status_code == 200
    assert response.content == minio.get_object(bucket, trace.storage_key).read()
    assert response.content[:2] == b"PK"  # a zip
    assert client.get(f"/api/v1/artifacts/{trace.id}").status_code == 401
    assert client.get(f"/api/v1/artifacts/{trace.id}", headers={"Authorization": f"Bearer {outsider}"}).status_code == 404
    # Or a short-lived presigned URL.
    redirect = client.get(f"/api/v1/artifacts/{shot.id}", params={"presigned": 1}, headers=auth, follow_redirects=False)
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    assert "X-Amz-Expires=300" in location
    direct = httpx.get(location)
    assert direct.status_code == 200 and direct.content[:4] == b"\x89PNG"
