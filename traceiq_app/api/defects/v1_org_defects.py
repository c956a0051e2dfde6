"""/api/v1 defects across projects (the organization-wide list):

    GET /api/v1/defects                 defect.read on each project listed (filters: project, org, status, ...)
    GET /api/v1/defects.csv / .xlsx     the same list as CSV / Excel (the /defects page's export)

Only projects the caller may read are listed (an API token: its organization, or its one
project). `project` (id or slug) narrows to one project (404 when not readable) and enables the
custom field filters (`cf_<key>`); `org` (an organization id) narrows to one organization.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from traceiq_app.api.defects.v1_defects import XLSX, DefectOut
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import project_for
from traceiq_app.db import session_scope
from traceiq_app.services.accounts.users import memberships
from traceiq_app.services.defects import exports, listing, org_list
from traceiq_app.services.platform.permissions import PermissionDenied, Principal

router = APIRouter(tags=["defects"])

ProjectFilter = Query("", max_length=200, description="one project (id or slug); enables cf_<key> filters")
OrgFilter = Query("", max_length=64, description="one organization (its id); default: all of yours")


class OrgDefectOut(DefectOut):
    project: str
    project_id: str


class OrgDefectList(BaseModel):
    items: list[OrgDefectOut]


def _scope(principal: Principal, request: Request, project: str, org: str) -> tuple[list[uuid.UUID], dict[str, str]]:
    filters = org_list.check_filters(dict(request.query_params))
    filters.pop("project", None)
    if project.strip():
        found, _ = project_for(principal, project.strip(), "defect.read")
        if org.strip() and str(found.org_id) != org.strip().lower():
            raise PermissionDenied("project not found", status=404)
        return [found.id], filters
    with session_scope() as session:
        orgs = [m.org_id for m in memberships(session, principal.user_id)]
    if principal.is_token:
        orgs = [o for o in orgs if o == principal.token_org_id]
    if org.strip():
        orgs = [o for o in orgs if str(o) == org.strip().lower()]
        if not orgs:
            raise PermissionDenied("organization not found", status=404)
    ids = [uuid.UUID(p["id"]) for o in orgs for p in org_list.projects(principal, o)]
    return ids, {k: v for k, v in filters.items() if not k.startswith("cf_")}


@router.get("/api/v1/defects", summary="Defects of every project you can read", response_model=OrgDefectList,
            responses=responses())
def list_org_defects(request: Request, project: str = ProjectFilter, org: str = OrgFilter,
                     principal: Principal = Depends(require_principal)) -> Any:
    ids, filters = _scope(principal, request, project, org)
    return {"items": listing.search(ids, filters)}


@router.get("/api/v1/defects.csv", summary="Defects of every project you can read, as CSV",
            response_class=Response, responses={**responses(), 200: {"content": {"text/csv": {}}}})
def org_defects_csv(request: Request, project: str = ProjectFilter, org: str = OrgFilter,
                    principal: Principal = Depends(require_principal)) -> Response:
    ids, filters = _scope(principal, request, project, org)
    return Response(exports.to_csv(ids, filters), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="defects.csv"'})


@router.get("/api/v1/defects.xlsx", summary="Defects of every project you can read, as Excel",
            response_class=Response, responses={**responses(), 200: {"content": {XLSX: {}}}})
def org_defects_xlsx(request: Request, project: str = ProjectFilter, org: str = OrgFilter,
                     principal: Principal = Depends(require_principal)) -> Response:
    ids, filters = _scope(principal, request, project, org)
    return Response(exports.to_xlsx(ids, filters), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="defects.xlsx"'})
