"""Attachments of manual testing, for the web app (session cookie) and API tokens:

    POST /api/manual/step-results/{id}/attachments?filename=  manual_run.write  body: the file's bytes
    POST /api/manual/tests/{id}/attachments?filename=         test.write        body: the file's bytes
    GET  /api/manual/attachments/{id}                         manual_run.read / test.read -> the bytes

The body is the raw file (what a pasted clipboard image or a picked file is sent as by the run
page's script). Size (TRACEIQ_MANUAL_ATTACHMENT_MAX_KB) and type (sniffed) are checked by
`services/manual/attachments.py`; files are kept in the artifact storage, never under /_upload.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from traceiq_app.api.deps import require_principal
from traceiq_app.api.v1_support import authorize_in
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.catalog.test_cases import project_of_test_case
from traceiq_app.services.manual import attachments
from traceiq_app.services.manual import runs as manual_runs
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.platform.storage import StorageError

router = APIRouter(tags=["manual"], include_in_schema=False)


async def _body(request: Request) -> bytes:
    limit = attachments.max_bytes()
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise HTTPException(status_code=413, detail=f"the file is larger than the limit of {limit // 1024} KB "
                                                        "for attachments")
    return bytes(data)


def _created(row: Any) -> JSONResponse:
    return JSONResponse({"id": str(row.id), "filename": row.filename, "content_type": row.content_type,
                         "size_bytes": row.size_bytes, "url": f"/api/manual/attachments/{row.id}"}, status_code=201)


@router.post("/api/manual/step-results/{step_result_id}/attachments")
async def add_step_attachment(step_result_id: uuid.UUID, request: Request, filename: str = "screenshot.png",
                              principal: Principal = Depends(require_principal)) -> JSONResponse:
    project_id = manual_runs.project_of_step_result(step_result_id)
    if project_id is None:
        raise HTTPException(status_code=404, detail="step not found")
    authorize_in(principal, "manual_run.write", project_id, "step")
    data = await _body(request)
    try:
        row = attachments.add_to_step(project_id, step_result_id, filename, data, principal)
    except Invalid as exc:
        raise HTTPException(status_code=422, detail=exc.message) from None
    except NotFound:
        raise HTTPException(status_code=404, detail="step not found") from None
    return _created(row)


@router.post("/api/manual/tests/{manual_test_id}/attachments")
async def add_test_attachment(manual_test_id: uuid.UUID, request: Request, filename: str = "attachment",
                              principal: Principal = Depends(require_principal)) -> JSONResponse:
    project_id = project_of_test_case(manual_test_id)
    if project_id is None:
        raise HTTPException(status_code=404, detail="test not found")
    authorize_in(principal, "test.write", project_id, "test")
    data = await _body(request)
    try:
        row = attachments.add_to_test_case(project_id, manual_test_id, filename, data, principal)
    except Invalid as exc:
        raise HTTPException(status_code=422, detail=exc.message) from None
    except NotFound:
        raise HTTPException(status_code=404, detail="manual test not found") from None
    return _created(row)


@router.get("/api/manual/attachments/{manual_attachment_id}")
def download_attachment(manual_attachment_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    row = attachments.get(manual_attachment_id)
    if row is None:
        raise HTTPException(status_code=404, detail="attachment not found")
    authorize_in(principal, attachments.read_action(row), row.project_id, "attachment")
    try:
        stream = attachments.open_stream(row)
    except StorageError:
        raise HTTPException(status_code=410, detail="attachment deleted from storage") from None
    disposition = "inline" if row.content_type.startswith("image/") else "attachment"
    return StreamingResponse(stream, media_type=row.content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{row.filename}"',
        "Content-Length": str(row.size_bytes),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
