"""API token management (signed-in users only; tokens cannot mint tokens):
GET/POST /api/orgs/{org_id}/tokens, DELETE /api/orgs/{org_id}/tokens/{token_id}."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.db import session_scope
from traceiq_app.services.accounts import tokens
from traceiq_app.services.platform.permissions import Principal

router = APIRouter()


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=lambda: ["read"])
    project_id: uuid.UUID | None = None
    expires_days: int | None = Field(default=None, ge=1, le=3650)


def _list(principal: Principal, org_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        return tokens.list_tokens(session, principal, org_id)


@router.get("/api/orgs/{org_id}/tokens")
async def list_tokens(org_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    return {"tokens": await run_in_threadpool(_list, principal, org_id)}


@router.post("/api/orgs/{org_id}/tokens", status_code=201)
async def create_token(org_id: uuid.UUID, body: TokenCreate,
                       principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    raw, info = await run_in_threadpool(
        lambda: tokens.create_token_as(principal, org_id, name=body.name, scopes=body.scopes,
                                       project_id=body.project_id, expires_days=body.expires_days))
    return {"token": raw, **info}


@router.delete("/api/orgs/{org_id}/tokens/{token_id}")
async def revoke_token(org_id: uuid.UUID, token_id: uuid.UUID,
                       principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    return await run_in_threadpool(tokens.revoke_token, principal, org_id, token_id)
