"""An organization's security settings: GET/PATCH /api/orgs/{org_id}/security
(`require_two_factor` and `allow_link_local`: owners; `allowed_hosts`: owners and admins)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.services.accounts import org_security
from traceiq_app.services.platform.permissions import Principal

router = APIRouter()


class SecurityBody(BaseModel):
    require_two_factor: bool | None = None
    allow_link_local: bool | None = None
    allowed_hosts: list[str] | None = Field(default=None, max_length=200)


@router.get("/api/orgs/{org_id}/security")
async def get_security(org_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    found = await run_in_threadpool(org_security.get_org_security, principal, org_id)
    return found.to_dict()


@router.patch("/api/orgs/{org_id}/security", response_model=None)
async def update_security(org_id: uuid.UUID, body: SecurityBody,
                          principal: Principal = Depends(require_principal)) -> dict[str, Any] | JSONResponse:
    try:
        found = await run_in_threadpool(
            org_security.update_org_security, principal, org_id, require_two_factor=body.require_two_factor,
            allowed_hosts=body.allowed_hosts, allow_link_local=body.allow_link_local)
    except org_security.FieldError as exc:
        return JSONResponse({"detail": str(exc), "field": exc.field}, status_code=400)
    return found.to_dict()
