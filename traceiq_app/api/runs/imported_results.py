"""Results from other runners over HTTP.

    POST /api/v1/projects/{project}/results     run.start -> 201 {"id", "url", ...}

multipart/form-data: `file` (the report), any number of `attachments` (their file names may
carry a relative path, e.g. `example-chromium/trace.zip`: that is what the report's attachment
paths are matched with), optional `format` (`junit` | `playwright-json`, else detected),
`branch`, `commit`. The whole request is limited to TRACEIQ_MAX_UPLOAD_MB (413). An invalid
report is 422 with per-file problems and stores nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from traceiq_app.api.deps import require_principal
from traceiq_app.api.v1_envelope import ApiError, authorized_project, error_responses
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import control as runs_service
from traceiq_app.services.runs import imported_results
from traceiq_app.settings import get_settings

router = APIRouter()

MAX_ATTACHMENTS = 2000
UPLOAD_SCHEMA = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "JUnit XML or Playwright JSON report"},
            "attachments": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "traces, screenshots, videos; file name = path relative to the "
                                           "attachments folder"},
            "format": {"type": "string", "enum": list(imported_results.FORMATS)},
            "branch": {"type": "string", "maxLength": 255},
            "commit": {"type": "string", "maxLength": 64},
        }}}}},
}


class ResultsUploaded(BaseModel):
    id: str
    url: str
    status: str
    format: str
    totals: dict[str, int]
    tests: int
    attempts: int
    artifacts: int
    created: dict[str, int]
    warnings: list[str]


def _limit_bytes() -> int:
    return get_settings().max_upload_mb * 1024 * 1024


def _safe_name(raw: str | None, index: int) -> str:
    parts = [p for p in PurePosixPath((raw or "").replace("\\", "/")).parts if p not in ("/", ".", "..", "")]
    return "/".join(parts) or f"attachment-{index}"


async def _save(upload: UploadFile, target: Path, budget: list[int]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        while chunk := await upload.read(1024 * 1024):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise ApiError(413, f"the upload is larger than {get_settings().max_upload_mb} MB "
                                    "(TRACEIQ_MAX_UPLOAD_MB)")
            out.write(chunk)


async def _upload(project: str, request: Request, principal: Principal) -> JSONResponse:
    project_id, _grant = authorized_project(principal, project, "run.start")
    limit = _limit_bytes()
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise ApiError(413, f"the upload is {int(length) / 1048576:.1f} MB; the limit is "
                            f"{get_settings().max_upload_mb} MB (TRACEIQ_MAX_UPLOAD_MB)")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(400, "send multipart/form-data with the report as 'file'")
    try:
        form = await request.form(max_files=MAX_ATTACHMENTS + 1, max_fields=50)
    except Exception:  # noqa: BLE001 - a broken multipart body is the client's error
        raise ApiError(400, "the multipart body could not be read") from None
    report = form.get("file")
    if not isinstance(report, UploadFile):
        raise ApiError(422, "file: required (the JUnit XML or Playwright JSON report)",
                       details=[{"field": "file", "problem": "required"}])
    fmt = form.get("format")
    fmt = fmt.strip() if isinstance(fmt, str) and fmt.strip() else None
    if fmt is not None and fmt not in imported_results.FORMATS:
        raise ApiError(422, f"format: '{fmt}' is not one of {', '.join(imported_results.FORMATS)}",
                       details=[{"field": "format", "problem": "unknown format"}])
    budget = [limit]
    workdir = Path(tempfile.mkdtemp(prefix="tiq-results-"))
    try:
        report_path = workdir / "report"
        await _save(report, report_path, budget)
        files: dict[str, Path] = {}
        for index, item in enumerate(form.getlist("attachments")):
            if not isinstance(item, UploadFile):
                continue
            name = _safe_name(item.filename, index)
            target = workdir / "attachments" / f"{index:05d}" / PurePosixPath(name).name
            await _save(item, target, budget)
            files[name] = target
        filename = PurePosixPath(_safe_name(report.filename, 0)).name
        branch, commit = form.get("branch"), form.get("commit")
        try:
            outcome = await run_in_threadpool(
                imported_results.ingest, project_id, filename, report_path.read_bytes(), files, fmt=fmt, principal=principal,
                branch=branch if isinstance(branch, str) else None, commit_sha=commit if isinstance(commit, str) else None)
        except imported_results.ReportInvalid as exc:
            raise ApiError(422, exc.problems[0], details={"file": filename, "problems": exc.problems},
                           code="invalid_report") from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        await form.close()
    run = runs_service.get_run(outcome.run_id)
    assert run is not None
    warnings = [f"attachment not uploaded: {p}" for p in outcome.missing_attachments[:50]]
    warnings += [f"uploaded file not referenced by the report: {p}" for p in outcome.unused_attachments[:50]]
    body = ResultsUploaded(
        id=str(run.id), url=f"{get_settings().public_url_effective}/runs/{run.id}", status=run.status.value,
        format=outcome.format,
        totals={"total": run.total, "passed": run.passed, "failed": run.failed, "flaky": run.flaky,
                "errors": run.errors, "skipped": run.skipped},
        tests=outcome.tests, attempts=outcome.attempts, artifacts=outcome.artifacts,
        created={"suites": outcome.created_suites, "tests": outcome.created_tests}, warnings=warnings)
    return JSONResponse(body.model_dump(), status_code=201)


@router.post("/api/v1/projects/{project}/results", status_code=201, response_model=ResultsUploaded,
             summary="Upload results of another runner (JUnit XML or Playwright JSON) as a run",
             openapi_extra=UPLOAD_SCHEMA, responses=error_responses(400, 401, 403, 404, 413, 422), tags=["results"])
async def upload_results(project: str, request: Request,
                         principal: Principal = Depends(require_principal)) -> Any:
    try:
        return await _upload(project, request, principal)
    except ApiError as exc:
        return exc.response()
