"""/api/v1 analytics of a project, with the dashboard's filters (`since`, `until`, `suite`,
`tag`, `branch`, `environment`):

    GET /api/v1/projects/{project}/analytics/health?window=10     analytics.read
    GET /api/v1/projects/{project}/analytics/clusters             analytics.read
    GET /api/v1/projects/{project}/analytics/clusters/{id}        analytics.read -> with occurrences
    GET /api/v1/projects/{project}/analytics/trends?bucket=day    analytics.read (day | run)
    GET /api/v1/projects/{project}/analytics/settings             analytics.read
    PUT /api/v1/projects/{project}/analytics/settings             analytics.settings
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import project_for
from traceiq_app.services.analytics import clusters as clusters_service
from traceiq_app.services.analytics import filters as filters_service
from traceiq_app.services.analytics import health as health_service
from traceiq_app.services.analytics import quarantine as quarantine_service
from traceiq_app.services.analytics import trends as trends_service
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["analytics"])


class FilterParams:
    def __init__(self, since: datetime | None = Query(None, description="results finished at or after (ISO 8601)"),
                 until: datetime | None = Query(None, description="results finished before (ISO 8601)"),
                 suite: str | None = Query(None, max_length=200, description="suite id or name (with sub-suites)"),
                 tag: str | None = Query(None, max_length=100),
                 branch: str | None = Query(None, max_length=255),
                 environment: str | None = Query(None, max_length=200, description="environment id or name")) -> None:
        self.since, self.until = since, until
        self.suite, self.tag, self.branch, self.environment = suite, tag, branch, environment

    def resolve(self, project_id: uuid.UUID) -> filters_service.Filters:
        return filters_service.resolve(project_id, since=self.since, until=self.until, suite=self.suite,
                                       tag=self.tag, branch=self.branch, environment=self.environment)


class LastFailure(BaseModel):
    at: str | None
    error: str
    run_id: str


class HealthItem(BaseModel):
    test_id: str
    name: str
    runs: int
    pass_rate: float = Field(ge=0, le=1)
    flip_rate: float = Field(ge=0, le=1)
    flaky_on_retry_rate: float = Field(ge=0, le=1)
    health: float = Field(ge=0, le=1)
    median_ms: int | None
    p95_ms: int | None
    slowing_down: bool
    quarantined: bool
    last_failure: LastFailure | None
    sparkline: list[int] = Field(description="durations of the window's results, oldest first")


class HealthList(BaseModel):
    items: list[HealthItem]


class ClusterItem(BaseModel):
    id: str
    signature: str = Field(description="the masked message")
    category: str
    count: int
    tests: int
    first_seen: str | None
    last_seen: str | None
    example_error: str
    step: str | None
    locator: str | None
    branches: list[str]
    environments: list[str]


class ClusterList(BaseModel):
    items: list[ClusterItem]


class Occurrence(BaseModel):
    run_id: str
    test_id: str
    name: str
    browser: str
    branch: str | None
    at: str | None
    error: str | None
    status: str
    screenshot_url: str | None
    trace_url: str | None


class ClusterDetail(ClusterItem):
    occurrences: list[Occurrence]


class SettingsIO(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flaky_enter: float = Field(0.3, gt=0, le=1, description="flip rate at which a test becomes flaky")
    flaky_exit: float = Field(0.1, ge=0, lt=1, description="flip rate below which it stops being flaky")
    auto_quarantine: bool = Field(False, description="quarantine flaky tests at once instead of proposing it")
    quarantine_days: int = Field(14, ge=1, le=365)


@router.get("/api/v1/projects/{project}/analytics/health", summary="Test health: per test over its last `window` results",
            response_model=HealthList, responses=responses())
def health(project: str = ProjectRef, window: int = Query(10, ge=2, le=health_service.MAX_WINDOW),
           view: Literal["flaky", "slowing"] | None = Query(None), filters: FilterParams = Depends(),
           principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "analytics.read")
    return {"items": health_service.health_table(found.id, filters.resolve(found.id), window, view=view)}


@router.get("/api/v1/projects/{project}/analytics/clusters", summary="Failure clusters by normalized signature",
            response_model=ClusterList, responses=responses())
def clusters(project: str = ProjectRef, filters: FilterParams = Depends(),
             principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "analytics.read")
    return {"items": clusters_service.clusters(found.id, filters.resolve(found.id))}


@router.get("/api/v1/projects/{project}/analytics/clusters/{cluster_id}", summary="A failure cluster and its occurrences",
            response_model=ClusterDetail, responses=responses())
def cluster(cluster_id: str = Path(max_length=40, description="the cluster's id (from the list)"), project: str = ProjectRef,
            principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "analytics.read")
    detail = clusters_service.cluster(found.id, cluster_id)
    if detail is None:
        raise HTTPException(status_code=404, detail="cluster not found")
    return detail


@router.get("/api/v1/projects/{project}/analytics/trends", summary="The series behind the dashboard's charts",
            responses=responses())
def trends(project: str = ProjectRef, bucket: Literal["day", "run"] = Query("day"), filters: FilterParams = Depends(),
           principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    found, _ = project_for(principal, project, "analytics.read")
    return trends_service.trends(found.id, filters.resolve(found.id), bucket)


@router.get("/api/v1/projects/{project}/analytics/settings", summary="Flakiness thresholds and quarantine policy",
            response_model=SettingsIO, responses=responses())
def get_settings(project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "analytics.read")
    return quarantine_service.get_settings(found.id)


@router.put("/api/v1/projects/{project}/analytics/settings", summary="Change the flakiness thresholds and quarantine policy",
            response_model=SettingsIO, responses=responses())
def put_settings(body: SettingsIO, project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> Any:
    found, _ = project_for(principal, project, "analytics.settings")
    return quarantine_service.update_settings(found.id, principal, **body.model_dump())
