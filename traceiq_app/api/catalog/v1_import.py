"""POST /api/v1/projects/{project}/import: multipart upload of Chrome Recorder JSON, native
JSON/YAML or Playwright codegen .py files (test.write). All or nothing per request: 201 with
what each file became, or 422 whose `details` say per file exactly why not (step/line numbers).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import envelope, responses
from traceiq_app.api.v1_support import project_for
from traceiq_app.services.catalog import bulk_import
from traceiq_app.services.catalog.imports import MAX_IMPORT_BYTES
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["tests"])


class ImportedFile(BaseModel):
    file: str
    status: str
    format: str
    name: str
    steps: int
    test_id: str | None
    problems: list[str]


class ImportResult(BaseModel):
    files: list[ImportedFile]


@router.post("/api/v1/projects/{project}/import", status_code=201, summary="Import test files (all or nothing)",
             response_model=ImportResult, responses=responses(409, 413))
async def import_tests(project: str = ProjectRef,
                       files: list[UploadFile] = File(..., description="Recorder .json, native .json/.yaml, codegen .py"),
                       suite: str | None = Form(None, max_length=200, description="suite id or name (created if new)"),
                       principal: Principal = Depends(require_principal)) -> ImportResult:
    found, _ = project_for(principal, project, "test.write")
    contents: list[tuple[str, bytes]] = []
    for upload in files[: bulk_import.MAX_FILES + 1]:
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        contents.append((upload.filename or "upload", data))
    try:
        results = bulk_import.import_files(found.id, contents, suite=suite, author_id=principal.user_id)
    except bulk_import.ImportRejected as exc:
        return envelope(422, exc.message, code="import_rejected",  # type: ignore[return-value]
                        details=[r.to_dict() for r in exc.results])
    return ImportResult(files=[ImportedFile(**r.to_dict()) for r in results])
