"""A project's target allowlist: GET/PUT /api/projects/{project_id}/allowed-hosts
(read: project viewers; change: project admins). The answer also shows the organization's
list and link-local rule, which apply to the project's runs too."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.services.catalog import allowlists
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.platform.permissions import Principal, authorize

router = APIRouter()


class HostsBody(BaseModel):
    allowed_hosts: list[str] = Field(max_length=200)


@router.get("/api/projects/{project_id}/allowed-hosts")
async def get_hosts(project_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    await run_in_threadpool(authorize, principal, "project.read", project_id=project_id)
    return (await run_in_threadpool(allowlists.project_network, project_id)).to_dict()


@router.put("/api/projects/{project_id}/allowed-hosts", response_model=None)
async def put_hosts(project_id: uuid.UUID, body: HostsBody,
                    principal: Principal = Depends(require_principal)) -> dict[str, Any] | JSONResponse:
    await run_in_threadpool(authorize, principal, "project.update", project_id=project_id)
    try:
        found = await run_in_threadpool(allowlists.set_allowed_hosts, principal, project_id, body.allowed_hosts)
    except Invalid as exc:
        return JSONResponse({"detail": exc.message, "field": "allowed_hosts"}, status_code=400)
    return found.to_dict()
