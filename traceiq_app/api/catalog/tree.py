"""Tests as code over HTTP (what `traceiq pull` / `traceiq push` call).

    GET  /api/v1/projects/{project}/tree   test.read  -> {"files": {path: yaml text}}
    POST /api/v1/projects/{project}/tree   test.write (+ env.write when environments change)
         {"files": {...}, "prune": false, "dry_run": true} -> the plan {"summary", "changes",
         "kept", "warnings", "applied"}; invalid files: 422 with every problem, nothing changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from traceiq_app.api.deps import require_principal
from traceiq_app.api.v1_envelope import ApiError, authorized_project, error_responses
from traceiq_app.services.catalog import tree_sync
from traceiq_app.services.catalog.projects import NotFound
from traceiq_app.services.platform.permissions import PermissionDenied, Principal, authorize
from traceiq_app.settings import get_settings

router = APIRouter()


class TreeFiles(BaseModel):
    files: dict[str, str] = Field(description="path relative to the folder -> YAML text, sorted by path")


class PushBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] = Field(description="every .yaml file of the folder: path -> text")
    prune: bool = Field(False, description="delete folders, tests and environments the files no longer hold")
    dry_run: bool = Field(False, description="only say what would change")


class ChangeOut(BaseModel):
    op: str
    kind: str
    path: str
    id: str | None
    details: list[str]


class PushResult(BaseModel):
    applied: bool
    summary: dict[str, int]
    changes: list[ChangeOut]
    kept: list[ChangeOut]
    warnings: list[str]


@router.get("/api/v1/projects/{project}/tree", response_model=TreeFiles, responses=error_responses(401, 403, 404),
            summary="Export the project's folders, tests and environments as YAML files", tags=["tests as code"])
def export_tree(project: str, principal: Principal = Depends(require_principal)) -> Any:
    try:
        project_id, _grant = authorized_project(principal, project, "test.read")
        try:
            files = tree_sync.export_tree(project_id)
        except NotFound:
            raise ApiError(404, "project not found") from None
    except ApiError as exc:
        return exc.response()
    return {"files": files}


async def _push(project: str, body: PushBody, principal: Principal) -> dict[str, Any]:
    project_id, _grant = authorized_project(principal, project, "test.write")
    limit = get_settings().max_upload_mb * 1024 * 1024
    if sum(len(k) + len(v) for k, v in body.files.items()) > limit:
        raise ApiError(413, f"the files are larger than {get_settings().max_upload_mb} MB (TRACEIQ_MAX_UPLOAD_MB)")
    try:
        plan = await run_in_threadpool(tree_sync.plan_tree, project_id, body.files, prune=body.prune)
        if plan.touches_environments:
            try:
                authorize(principal, "env.write", project_id=project_id)
            except PermissionDenied as exc:
                raise ApiError(exc.status, f"the push changes environments: {exc.message}") from None
        if not body.dry_run:
            plan = await run_in_threadpool(tree_sync.push_tree, project_id, body.files, prune=body.prune,
                                           dry_run=False, principal=principal)
    except tree_sync.TreeInvalid as exc:
        first = exc.problems[0]
        raise ApiError(422, f"{first['file']}: {first['problem']}" if first["file"] else first["problem"],
                       details={"problems": [f"{p['file']}: {p['problem']}" if p["file"] else p["problem"]
                                             for p in exc.problems], "files": exc.problems},
                       code="invalid_files") from None
    except NotFound:
        raise ApiError(404, "project not found") from None
    return {"applied": not body.dry_run and bool(plan.changes), **plan.to_dict()}


@router.post("/api/v1/projects/{project}/tree", response_model=PushResult,
             responses=error_responses(401, 403, 404, 413, 422),
             summary="Push YAML files: plan (dry_run) or apply the changes, all or nothing", tags=["tests as code"])
async def push_tree(project: str, body: PushBody, principal: Principal = Depends(require_principal)) -> Any:
    try:
        return JSONResponse(await _push(project, body, principal))
    except ApiError as exc:
        return exc.response()
