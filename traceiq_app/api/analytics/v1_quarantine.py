"""/api/v1 quarantines of a project:

    GET    /api/v1/projects/{project}/quarantine           analytics.read   (?all=1: ended ones too)
    POST   /api/v1/projects/{project}/quarantine           quarantine.write -> 201 the quarantine
    DELETE /api/v1/projects/{project}/quarantine?test=...  quarantine.write (lifts it)
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import project_for
from traceiq_app.models import utcnow
from traceiq_app.services.analytics import quarantine as service
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["analytics"])


class QuarantineOut(BaseModel):
    id: str
    test_id: str
    name: str
    state: str = Field(description="proposed | active | ended")
    reason: str
    owner_user_id: str | None
    automatic: bool
    created_at: str
    expires_at: str | None
    ended_at: str | None
    end_reason: str | None


class QuarantineList(BaseModel):
    items: list[QuarantineOut]


class QuarantineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    test: str = Field(min_length=1, max_length=300, description="the test's id or name")
    reason: str = Field(min_length=1, max_length=500)
    owner: uuid.UUID | None = Field(None, description="user id of the owner (default: the caller)")
    expires_at: datetime | None = Field(None, description="default: now + the project's quarantine days")
    days: int | None = Field(None, ge=1, le=365, description="instead of expires_at")


class Lifted(BaseModel):
    lifted: int


@router.get("/api/v1/projects/{project}/quarantine", summary="The project's quarantines",
            response_model=QuarantineList, responses=responses())
def list_quarantines(project: str = ProjectRef, all: bool = Query(False, description="include ended ones"),  # noqa: A002
                     principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "analytics.read")
    return {"items": service.listing(found.id, include_ended=all)}


@router.post("/api/v1/projects/{project}/quarantine", status_code=201, summary="Quarantine a test",
             response_model=QuarantineOut, responses=responses())
def create_quarantine(body: QuarantineCreate, project: str = ProjectRef,
                      principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "quarantine.write")
    key, name = service.resolve_test(found.id, body.test)
    if body.owner is not None:
        service.check_owner(found.id, body.owner)
    expires = body.expires_at
    if expires is None:
        days = body.days or int(service.get_settings(found.id)["quarantine_days"])
        expires = utcnow() + timedelta(days=days)
    elif expires.utcoffset() is None:
        raise service.QuarantineError("expires_at", "needs a time zone (e.g. 2026-12-01T00:00:00Z)")
    q = service.create(found.id, principal, service.QuarantineIn(key, name, body.reason, body.owner, expires))
    return service.as_dict(q)


@router.delete("/api/v1/projects/{project}/quarantine", summary="Lift a test's quarantine",
               response_model=Lifted, responses=responses())
def lift_quarantine(project: str = ProjectRef, test: str = Query(..., min_length=1, max_length=300),
                    principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "quarantine.write")
    key, _name = service.resolve_test(found.id, test)
    return {"lifted": service.lift(found.id, principal, key)}
