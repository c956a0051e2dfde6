"""Organization members and invitations:
GET /api/orgs/{org_id}/members, PATCH/DELETE /api/orgs/{org_id}/members/{user_id},
GET/POST /api/orgs/{org_id}/invites, DELETE /api/orgs/{org_id}/invites/{invite_id} (revoke),
GET /api/projects/{project_id}/members, PUT /api/projects/{project_id}/members/{user_id}."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.services.accounts import members
from traceiq_app.services.platform.permissions import Principal

router = APIRouter()


class RoleBody(BaseModel):
    role: str | None = Field(default=None, max_length=32)


class InviteBody(BaseModel):
    email: str = Field(max_length=320)
    role: str = Field(default="member", max_length=32)


@router.get("/api/orgs/{org_id}/members")
async def list_members(org_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    return {"members": await run_in_threadpool(members.list_members, principal, org_id)}


@router.patch("/api/orgs/{org_id}/members/{user_id}")
async def set_role(org_id: uuid.UUID, user_id: uuid.UUID, body: RoleBody,
                   principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    await run_in_threadpool(members.set_org_role, principal, org_id, user_id, body.role or "")
    return {"ok": True}


@router.delete("/api/orgs/{org_id}/members/{user_id}")
async def remove(org_id: uuid.UUID, user_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    await run_in_threadpool(members.remove_member, principal, org_id, user_id)
    return {"ok": True}


@router.post("/api/orgs/{org_id}/invites", status_code=201)
async def invite(org_id: uuid.UUID, body: InviteBody, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    link, mailed = await run_in_threadpool(members.create_invite, principal, org_id, body.email, body.role)
    return {"link": link, "mailed": mailed}


@router.get("/api/orgs/{org_id}/invites")
async def list_invites(org_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    return {"invites": await run_in_threadpool(members.list_invites, principal, org_id)}


@router.delete("/api/orgs/{org_id}/invites/{invite_id}")
async def revoke_invite(org_id: uuid.UUID, invite_id: uuid.UUID,
                        principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    await run_in_threadpool(members.revoke_invite, principal, org_id, invite_id)
    return {"ok": True}


@router.get("/api/projects/{project_id}/members")
async def list_project_members(project_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    return {"members": await run_in_threadpool(members.list_project_members, principal, project_id)}


@router.put("/api/projects/{project_id}/members/{user_id}")
async def set_project_role(project_id: uuid.UUID, user_id: uuid.UUID, body: RoleBody,
                           principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    await run_in_threadpool(members.set_project_role, principal, project_id, user_id, body.role)
    return {"ok": True}
