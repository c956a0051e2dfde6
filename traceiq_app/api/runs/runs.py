"""Runs over HTTP: start, read, follow live, cancel; and artifact downloads.

Every route needs a principal (session cookie or `Authorization: Bearer tiq_...`) and checks
the project permission with `services.platform.permissions.authorize` before touching data; unknown
and forbidden runs/artifacts both answer 404.

    POST /api/projects/{project_id}/runs          run.start   -> 201 + the run
    GET  /api/runs/{run_id}                       run.read    -> the run with its attempts
    GET  /api/runs/{run_id}/events?last_id=0      run.read    -> live events after last_id
    POST /api/runs/{run_id}/cancel                run.cancel  -> the run (cancelled)
    GET  /api/artifacts/{artifact_id}             artifact.read -> the bytes (streamed), or
                                                  with ?presigned=1 on S3 a 307 to a short-lived URL
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.models import Browser, Run, RunSelection, RunStatus, RunTrigger
from traceiq_app.services.platform.permissions import Grant, PermissionDenied, Principal, authorize
from traceiq_app.services.platform.storage import StorageError
from traceiq_app.services.runs import artifacts as artifacts_service
from traceiq_app.services.runs import control as runs_service
from traceiq_app.services.runs import live_events

router = APIRouter()


class StartRunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    selection: RunSelection = Field(default_factory=RunSelection)
    environment_id: uuid.UUID | None = None
    browsers: list[Browser] | None = Field(default=None, min_length=1)
    retries: int = Field(default=0, ge=0, le=5)
    parallelism: int | None = Field(default=None, ge=1, le=runs_service.UNLIMITED_PARALLELISM)
    timeout_s: int = Field(default=3600, ge=1, le=86_400)
    branch: str | None = Field(default=None, max_length=255)
    commit_sha: str | None = Field(default=None, max_length=64)


def _audit(principal: Principal, grant_org_id: uuid.UUID, project_id: uuid.UUID, action: str,
           run_id: uuid.UUID, details: dict[str, Any] | None = None) -> None:
    from traceiq_app.db import session_scope
    from traceiq_app.services.platform import audit

    with session_scope() as session:
        audit.record(session, org_id=grant_org_id, project_id=project_id, action=action, actor=principal,
                     object_type="run", object_id=str(run_id), details=details)


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{what} not found")


def _authorized_run(principal: Principal, run_id: uuid.UUID, action: str) -> tuple[Run, Grant]:
    run = runs_service.get_run(run_id)
    if run is None:
        raise _not_found("run")
    try:
        grant = authorize(principal, action, project_id=run.project_id)
    except PermissionDenied as exc:
        if exc.status == 404 or action == "run.read":
            raise _not_found("run") from None
        raise
    return run, grant


@router.post("/api/projects/{project_id}/runs", status_code=201)
def start_run(project_id: uuid.UUID, body: StartRunBody,
              principal: Principal = Depends(require_principal)) -> JSONResponse:
    grant = authorize(principal, "run.start", project_id=project_id)
    try:
        run = runs_service.start_run(
            project_id, selection=body.selection, environment_id=body.environment_id, browsers=body.browsers,
            retries=body.retries, parallelism=body.parallelism, timeout_s=body.timeout_s,
            trigger=RunTrigger.api if principal.is_token else RunTrigger.ui,
            user_id=principal.user_id, token_id=principal.token_id, branch=body.branch,
            commit_sha=body.commit_sha,
        )
    except runs_service.RunError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    _audit(principal, grant.org_id, project_id, "run.start", run.id,
           {"total": run.total, "browsers": run.browsers, "retries": run.retries})
    return JSONResponse(runs_service.run_detail(run.id), status_code=201)


@router.get("/api/runs/{run_id}")
def get_run(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    _authorized_run(principal, run_id, "run.read")
    detail = runs_service.run_detail(run_id)
    if detail is None:
        raise _not_found("run")
    return detail


@router.get("/api/runs/{run_id}/events")
def get_events(run_id: uuid.UUID, last_id: str = Query("0", max_length=40, pattern=live_events.STREAM_ID_PATTERN),
               block_ms: int = Query(0, ge=0, le=60_000), count: int = Query(500, ge=1, le=100_000),
               principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    _authorized_run(principal, run_id, "run.read")
    events = live_events.read_events(run_id, last_id, block_ms=block_ms or None, count=max(1, min(count, 1000)))
    return {"events": [e.to_dict() for e in events], "last_id": events[-1].id if events else last_id}


@router.post("/api/runs/{run_id}/cancel")
def cancel_run(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    run, grant = _authorized_run(principal, run_id, "run.cancel")
    if not RunStatus(run.status).is_final:
        runs_service.cancel_run(run_id, RunStatus.cancelled, reason=f"cancelled by {principal.label}")
        _audit(principal, grant.org_id, run.project_id, "run.cancel", run_id)
    detail = runs_service.run_detail(run_id)
    assert detail is not None
    return detail


@router.get("/api/artifacts/{artifact_id}", response_model=None)
def download_artifact(artifact_id: uuid.UUID, presigned: bool = False,
                      principal: Principal = Depends(require_principal)) -> StreamingResponse | RedirectResponse:
    artifact = artifacts_service.get_artifact(artifact_id)
    if artifact is None:
        raise _not_found("artifact")
    try:
        authorize(principal, "artifact.read", project_id=artifact.project_id)
    except PermissionDenied:
        raise _not_found("artifact") from None
    if presigned:
        url = artifacts_service.presigned_url(artifact)
        if url is not None:
            return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    try:
        stream = artifacts_service.open_artifact(artifact)
    except StorageError:
        raise HTTPException(status_code=410, detail="artifact expired or deleted from storage") from None
    filename = artifact.storage_key.rsplit("/", 1)[-1]
    disposition = "inline" if artifact.content_type.startswith(("image/", "video/")) else "attachment"
    return StreamingResponse(stream, media_type=artifact.content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Content-Length": str(artifact.size_bytes),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    })
