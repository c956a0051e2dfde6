"""/api/v1 manual runs (read-only):

    GET /api/v1/projects/{project}/manual-runs   manual_run.read  newest first, paged; ?status=open|closed
    GET /api/v1/manual-runs/{id}                 manual_run.read  tests -> steps with outcomes
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import Paged, PageParams, authorize_in, project_for, web_url
from traceiq_app.services.manual import reports
from traceiq_app.services.manual import runs as manual_runs
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["manual"])


class ManualRunSummary(BaseModel):
    id: str
    project_id: str
    name: str
    environment: str
    build_label: str
    milestone: str
    status: str = Field(description="open | closed")
    created_by: str = Field(description="e-mail of who started it")
    created_at: str
    closed_by: str = Field(description="e-mail of who closed it (\"\" while open)")
    closed_at: str
    complete: int = Field(description="tests with a final outcome (passed, failed, blocked, skipped)")
    total: int
    percent: int = Field(description="complete / total, in %")
    url: str = Field(description="the run's page in the web app")


class ManualAttachmentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    url: str


class ManualStepOut(BaseModel):
    id: str
    index: int = Field(description="0-based")
    action: str
    data: str
    expected: str
    status: str = Field(description="untested | passed | failed | blocked | skipped | retest")
    actual: str = Field(description="the tester's actual-result note")
    version: int
    by: str
    at: str
    attachments: list[ManualAttachmentOut]


class ManualTestOut(BaseModel):
    id: str
    name: str
    test_case_id: str
    outcome: str = Field(description="the effective outcome (the override when one is set)")
    derived: str = Field(description="the outcome that follows from the steps")
    override_reason: str
    assignee: str
    preconditions: str
    done: int
    total: int
    steps: list[ManualStepOut]


class ManualRunDetail(ManualRunSummary):
    tests: list[ManualTestOut]


def _absolute(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "url": web_url(data["url"])}


@router.get("/api/v1/projects/{project}/manual-runs", summary="List a project's manual runs with their progress",
            response_model=Paged[ManualRunSummary], responses=responses(400))
def list_manual_runs(project: str = ProjectRef, page: PageParams = Depends(),
                     status: Literal["open", "closed"] | None = Query(None),
                     principal: Principal = Depends(require_principal)) -> Paged[ManualRunSummary]:
    found, _ = project_for(principal, project, "manual_run.read")
    result = reports.page_runs(found.id, page.limit, page.cursor, status=status)
    return Paged[ManualRunSummary](items=[ManualRunSummary(**_absolute(r)) for r in result.items],
                                   next_cursor=result.next_cursor)


@router.get("/api/v1/manual-runs/{manual_run_id}", summary="A manual run: progress, tests, steps and outcomes",
            response_model=ManualRunDetail, responses=responses())
def get_manual_run(manual_run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Any:
    project_id = manual_runs.project_of_run(manual_run_id)
    if project_id is None:
        raise HTTPException(status_code=404, detail="manual run not found")
    authorize_in(principal, "manual_run.read", project_id, "manual run")
    detail = reports.run_detail(project_id, manual_run_id)
    for test in detail["tests"]:
        for step in test["steps"]:
            step["attachments"] = [_absolute(a) for a in step["attachments"]]
    return _absolute(detail)
