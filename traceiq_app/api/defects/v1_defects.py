"""/api/v1 defects of a project:

    GET  /api/v1/projects/{project}/defects                  defect.read  (filters: status, severity, ...)
    POST /api/v1/projects/{project}/defects                  defect.write -> 201 the defect
    GET  /api/v1/projects/{project}/defects/{key}            defect.read  (DEF-12 or the id; with its history)
    POST /api/v1/projects/{project}/defects/{key}/transition defect.write (illegal moves: 422 with the next ones)
    GET  /api/v1/projects/{project}/defects.csv / .xlsx      defect.read  (the filtered list)
    GET  /api/v1/projects/{project}/defects/{key}/attachments/{attachment_id}  defect.read
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import project_for
from traceiq_app.services.defects import attachments, defects, exports, listing
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["defects"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DefectOut(BaseModel):
    id: str
    key: str
    title: str
    status: str
    severity: str
    priority: str
    assignee: str
    reporter: str
    occurrences: int
    recurred: bool
    last_seen: str
    custom: dict[str, Any]
    external_key: str
    external_url: str


class DefectDetail(DefectOut):
    description: str
    history: list[dict[str, str]]


class DefectList(BaseModel):
    items: list[DefectOut]


class DefectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20000, description="Markdown")
    severity: str = Field("major", description="blocker | critical | major | minor | trivial")
    priority: str = Field("medium", description="urgent | high | medium | low")
    assignee_id: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict, description="custom field values by key")
    external_url: str | None = None
    external_key: str | None = None


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(min_length=1, max_length=40, description="e.g. ASSIGNED, IN PROGRESS, REOPENED")


def _filters(request: Request) -> dict[str, str]:
    return listing.clean_filters(dict(request.query_params))


@router.get("/api/v1/projects/{project}/defects", summary="The project's defects", response_model=DefectList,
            responses=responses())
def list_defects(request: Request, project: str = ProjectRef,
                 principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "defect.read")
    return {"items": listing.search(found.id, _filters(request))}


@router.post("/api/v1/projects/{project}/defects", status_code=201, summary="Raise a defect",
             response_model=DefectDetail, responses=responses())
def create_defect(body: DefectCreate, project: str = ProjectRef,
                  principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "defect.write")
    defect = defects.create(found.id, principal.user_id, body.model_dump())
    return listing.view(found.id, defects.key_of(defect))


@router.get("/api/v1/projects/{project}/defects.csv", summary="The filtered defects as CSV",
            response_class=Response, responses={**responses(), 200: {"content": {"text/csv": {}}}})
def defects_csv(request: Request, project: str = ProjectRef,
                principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "defect.read")
    return Response(exports.to_csv(found.id, _filters(request)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{found.slug}-defects.csv"'})


@router.get("/api/v1/projects/{project}/defects.xlsx", summary="The filtered defects as Excel",
            response_class=Response, responses={**responses(), 200: {"content": {XLSX: {}}}})
def defects_xlsx(request: Request, project: str = ProjectRef,
                 principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "defect.read")
    return Response(exports.to_xlsx(found.id, _filters(request)), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{found.slug}-defects.xlsx"'})


@router.get("/api/v1/projects/{project}/defects/{key}", summary="One defect with its history",
            response_model=DefectDetail, responses=responses())
def get_defect(key: str, project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "defect.read")
    return listing.view(found.id, key)


@router.post("/api/v1/projects/{project}/defects/{key}/transition", summary="Move a defect along its workflow",
             response_model=DefectDetail, responses=responses())
def transition_defect(key: str, body: Transition, project: str = ProjectRef,
                      principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "defect.write")
    defects.transition(found.id, key, principal.user_id, body.status)
    return listing.view(found.id, key)


@router.get("/api/v1/projects/{project}/defects/{key}/attachments/{attachment_id}",
            summary="Download a defect's attachment", response_class=Response, responses=responses())
def download_attachment(key: str, attachment_id: str, project: str = ProjectRef,
                        download: bool = Query(True), principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "defect.read")
    row, data = attachments.get(found.id, key, attachment_id)
    inline = row.content_type.startswith(("image/", "video/")) and not download
    disposition = "inline" if inline else "attachment"
    return Response(data, media_type=row.content_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{row.filename}"',
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
