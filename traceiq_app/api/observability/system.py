"""GET /api/v1/system?org_id=...: the system report (workers, queues, Redis, database, the
organization's artifact storage and retention); org owners and admins, or an admin-scope token."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.db import session_scope
from traceiq_app.services.observability import system
from traceiq_app.services.platform.permissions import Principal, authorize

router = APIRouter()


@router.get("/api/v1/system", summary="System report: workers, queues, Redis, database, storage, retention",
            responses=responses(403))
async def system_report(org_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    def _build() -> dict[str, Any]:
        with session_scope() as session:
            authorize(principal, "system.read", org_id=org_id, session=session)
        return system.report(org_id)

    return await run_in_threadpool(_build)
