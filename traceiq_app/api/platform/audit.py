"""GET /api/audit?org_id=...: the audit log, filtered (org owners and admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from traceiq_app.api.deps import require_principal
from traceiq_app.db import session_scope
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal, authorize

router = APIRouter()


@router.get("/api/audit")
async def list_audit(
    org_id: uuid.UUID,
    action: str | None = Query(None, max_length=100),
    actor: str | None = Query(None, max_length=320),
    project_id: uuid.UUID | None = None,
    object_id: str | None = Query(None, max_length=64),
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(100, ge=1, le=audit.MAX_LIMIT),
    offset: int = Query(0, ge=0, le=audit.MAX_OFFSET),
    principal: Principal = Depends(require_principal),
) -> dict[str, Any]:
    def _query() -> list[dict[str, Any]]:
        with session_scope() as session:
            authorize(principal, "audit.read", org_id=org_id, session=session)
            rows = audit.query(session, org_id, action=action, actor=actor, project_id=project_id,
                               object_id=object_id, since=since, until=until, limit=limit, offset=offset)
            return [audit.to_dict(r) for r in rows]

    return {"entries": await run_in_threadpool(_query)}
