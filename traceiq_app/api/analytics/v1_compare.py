"""/api/v1 run comparison:

    GET /api/v1/runs/{id}/compare?baseline={run_id}   analytics.read

Without `baseline`: the previous finished run of the same project, test selection and branch.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import authorize_in
from traceiq_app.services.analytics import compare as service
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import control as runs_service

router = APIRouter(tags=["analytics"])


class ComparedTest(BaseModel):
    test_id: str
    name: str
    browser: str
    status: str
    duration_ms: int | None
    error: str | None
    baseline_status: str | None = None
    baseline_duration_ms: int | None = None


class Comparison(BaseModel):
    run_id: str
    baseline_id: str | None
    baseline_picked: bool
    new_failures: list[ComparedTest]
    fixed: list[ComparedTest]
    still_failing: list[ComparedTest]
    newly_flaky: list[ComparedTest]
    added: list[ComparedTest]
    removed: list[ComparedTest]
    slower: list[ComparedTest]
    faster: list[ComparedTest]


@router.get("/api/v1/runs/{run_id}/compare", summary="Compare a run with its baseline", response_model=Comparison,
            responses=responses())
def compare(run_id: uuid.UUID, baseline: uuid.UUID | None = Query(None, description="run id (default: previous "
                                                                                     "comparable run)"),
            principal: Principal = Depends(require_principal)) -> Any:
    run = runs_service.get_run(run_id)
    if run is None:
        raise HTTPException(status_code=404, detail="run not found")
    authorize_in(principal, "analytics.read", run.project_id, "run")
    result = service.compare(run_id, baseline)
    if result is None:
        raise HTTPException(status_code=404, detail="run not found")
    return result
