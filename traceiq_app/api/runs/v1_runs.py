"""/api/v1 runs: start, list, read, cancel, rerun the failed tests, JUnit; artifact downloads.

    POST /api/v1/projects/{project}/runs     run.start     -> 202 {"id", "url"}
    GET  /api/v1/projects/{project}/runs     run.read      (filters: status, branch, trigger, since)
    GET  /api/v1/runs/{id}                   run.read      -> totals, timings, metadata, tests/attempts/steps
    POST /api/v1/runs/{id}/cancel            run.cancel
    POST /api/v1/runs/{id}/rerun-failed      run.start     -> 202 {"id", "url"}
    GET  /api/v1/runs/{id}/junit             run.read      -> JUnit XML (junit-10.xsd)
    GET  /api/v1/artifacts/{id}              artifact.read -> the bytes (or ?presigned=1: 307 to S3)

The live events (SSE) are api/runs/v1_events.py. Unknown runs and runs of projects the caller
cannot read are 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.runs.v1_models import RunDetail, RunSummary
from traceiq_app.api.v1_support import Created, Paged, PageParams, authorize_in, project_for, web_url
from traceiq_app.models import Browser, Run, RunStatus, RunTrigger, VideoMode
from traceiq_app.services.platform.permissions import Grant, Principal
from traceiq_app.services.platform.storage import StorageError
from traceiq_app.services.runs import artifacts as artifacts_service
from traceiq_app.services.runs import control as runs_service
from traceiq_app.services.runs import refs, reports
from traceiq_app.services.runs import views as run_views

router = APIRouter(tags=["runs"])


class RunMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    branch: str | None = Field(default=None, max_length=255)
    commit: str | None = Field(default=None, max_length=64)
    ci_url: str | None = Field(default=None, max_length=2000)
    pr: str | None = Field(default=None, max_length=100)


class StartRunIn(BaseModel):
    """What to run: the union of the suites (with sub-suites), tests and tags; nothing = every test."""

    model_config = ConfigDict(extra="forbid")

    suite: str | list[str] | None = Field(default=None, description="suite id(s) or name(s)")
    tests: list[str] | None = Field(default=None, max_length=1000, description="test ids or names")
    tags: list[str] | None = Field(default=None, max_length=100)
    environment: str | None = Field(default=None, max_length=200, description="environment id or name")
    browsers: list[Browser] | None = Field(default=None, min_length=1, max_length=3)
    retries: int = Field(default=0, ge=0, le=5)
    parallelism: int | None = Field(default=None, ge=1, le=runs_service.UNLIMITED_PARALLELISM)
    timeout_s: int = Field(default=3600, ge=1, le=86_400, description="the run is stopped after this long")
    metadata: RunMetadata | None = None
    video: VideoMode | None = Field(default=None, description="record a video of each test: off, failures (kept "
                                    "for failed tests) or on; default: the project's `video` setting")


def _audit(principal: Principal, grant: Grant, project_id: uuid.UUID, action: str, run_id: uuid.UUID,
           details: dict[str, Any] | None = None) -> None:
    from traceiq_app.db import session_scope
    from traceiq_app.services.platform import audit

    with session_scope() as session:
        audit.record(session, org_id=grant.org_id, project_id=project_id, action=action, actor=principal,
                     object_type="run", object_id=str(run_id), details=details)


def _run(principal: Principal, run_id: uuid.UUID, action: str) -> tuple[Run, Grant]:
    run = runs_service.get_run(run_id)
    if run is None:
        raise HTTPException(status_code=404, detail="run not found")
    return run, authorize_in(principal, action, run.project_id, "run")


def _created(run: Run) -> JSONResponse:
    body = Created(id=run.id, url=web_url(f"/runs/{run.id}"))
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers={"Location": f"/api/v1/runs/{run.id}"})


@router.post("/api/v1/projects/{project}/runs", status_code=202, summary="Start a run", response_model=Created,
             responses=responses(409))
def start_run(body: StartRunIn, project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> Any:
    found, grant = project_for(principal, project, "run.start")
    suites = [body.suite] if isinstance(body.suite, str) else list(body.suite or [])
    resolved = refs.resolve(found.id, suites=suites, tests=list(body.tests or []), tags=list(body.tags or []),
                            environment=body.environment)
    meta = body.metadata or RunMetadata()
    run = runs_service.start_run(
        found.id, selection=resolved.selection, environment_id=resolved.environment_id, browsers=body.browsers,
        retries=body.retries, parallelism=body.parallelism, timeout_s=body.timeout_s,
        trigger=RunTrigger.api if principal.is_token else RunTrigger.ui, user_id=principal.user_id,
        token_id=principal.token_id, branch=meta.branch, commit_sha=meta.commit, ci_url=meta.ci_url, pr=meta.pr,
        video=body.video)
    _audit(principal, grant, found.id, "run.start", run.id,
           {"total": run.total, "browsers": run.browsers, "retries": run.retries})
    return _created(run)


@router.get("/api/v1/projects/{project}/runs", summary="List a project's runs, newest first",
            response_model=Paged[RunSummary], responses=responses(400, 409))
def list_runs(project: str = ProjectRef, page: PageParams = Depends(),
              status: RunStatus | None = Query(None), branch: str | None = Query(None, max_length=255),
              trigger: RunTrigger | None = Query(None),
              since: datetime | None = Query(None, description="runs created at or after (ISO 8601)"),
              principal: Principal = Depends(require_principal)) -> Paged[RunSummary]:
    found, _ = project_for(principal, project, "run.read")
    result = reports.page_runs(found.id, page.limit, page.cursor, status=status, branch=branch, trigger=trigger,
                               since=since)
    return Paged[RunSummary](items=[RunSummary.of(r) for r in result.items], next_cursor=result.next_cursor)


@router.get("/api/v1/runs/{run_id}", summary="A run: totals, timings, metadata, tests with attempts and steps",
            response_model=RunDetail, responses=responses())
def get_run(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Any:
    _run(principal, run_id, "run.read")
    report = reports.run_report(run_id)
    if report is None:
        raise HTTPException(status_code=404, detail="run not found")
    return report


@router.post("/api/v1/runs/{run_id}/cancel", summary="Cancel a run (no-op when it has ended)",
             response_model=RunDetail, responses=responses())
def cancel_run(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Any:
    run, grant = _run(principal, run_id, "run.cancel")
    if not RunStatus(run.status).is_final:
        runs_service.cancel_run(run_id, RunStatus.cancelled, reason=f"cancelled by {principal.label}")
        _audit(principal, grant, run.project_id, "run.cancel", run_id)
    return reports.run_report(run_id)


@router.post("/api/v1/runs/{run_id}/rerun-failed", status_code=202, summary="Start a new run of the failed tests",
             response_model=Created, responses=responses(409))
def rerun_failed(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Any:
    run, _ = _run(principal, run_id, "run.read")
    grant = authorize_in(principal, "run.start", run.project_id, "run")
    if not RunStatus(run.status).is_final:
        raise HTTPException(status_code=409, detail="the run has not finished yet")
    new = run_views.rerun_failed(run_id, user_id=principal.user_id)
    _audit(principal, grant, run.project_id, "run.start", new.id, {"rerun_of": str(run_id), "total": new.total})
    return _created(new)


@router.get("/api/v1/runs/{run_id}/junit", summary="The run as JUnit XML (junit-10.xsd)", response_class=Response,
            responses={**responses(), 200: {"content": {"application/xml": {"schema": {"type": "string"}}},
                                            "description": "JUnit XML"}})
def junit(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    _run(principal, run_id, "run.read")
    xml = reports.junit_xml(run_id) or ""
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="traceiq-{run_id}.xml"'})


@router.get("/api/v1/artifacts/{artifact_id}", summary="Download an artifact (trace, video, screenshot)",
            response_class=Response, responses={**responses(410), 307: {"description": "presigned S3 URL"},
                                                200: {"content": {"application/octet-stream": {}},
                                                      "description": "the file"}})
def download_artifact(artifact_id: uuid.UUID, presigned: bool = False,
                      principal: Principal = Depends(require_principal)) -> Response:
    artifact = artifacts_service.get_artifact(artifact_id)
    if artifact is None:
        raise HTTPException(status_code=404, detail="artifact not found")
    authorize_in(principal, "artifact.read", artifact.project_id, "artifact")
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
