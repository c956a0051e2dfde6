"""/api/v1 run reports and exports (analytics.read):

    GET /api/v1/runs/{id}/report.html     one self-contained HTML file (screenshots embedded)
    GET /api/v1/runs/{id}/report.pdf      the same report printed by Chromium
    GET /api/v1/runs/{id}/results.csv     one row per test and browser (final attempt)
    GET /api/v1/runs/{id}/results.xlsx    the same as Excel, with a summary sheet
    GET /api/v1/projects/{project}/analytics/health.csv   the health table (same filters)
    GET /api/v1/projects/{project}/analytics/summary.html the project summary for a date range
    GET /api/v1/projects/{project}/analytics/summary.pdf  the same printed by Chromium
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from traceiq_app.api.analytics.v1_analytics import FilterParams
from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import authorize_in, project_for
from traceiq_app.services.analytics import health as health_service
from traceiq_app.services.analytics import reports, summary
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import control as runs_service

router = APIRouter(tags=["analytics"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _authorized_run(principal: Principal, run_id: uuid.UUID) -> None:
    run = runs_service.get_run(run_id)
    if run is None:
        raise HTTPException(status_code=404, detail="run not found")
    authorize_in(principal, "analytics.read", run.project_id, "run")


def _download(body: bytes | str | None, media_type: str, filename: str) -> Response:
    if body is None:
        raise HTTPException(status_code=404, detail="run not found")
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/api/v1/runs/{run_id}/report.html", summary="The run report as one self-contained HTML file",
            response_class=Response, responses={**responses(), 200: {"content": {"text/html": {}}}})
def report_html(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    _authorized_run(principal, run_id)
    return _download(reports.run_report_html(run_id), "text/html; charset=utf-8", f"run-{run_id}.html")


@router.get("/api/v1/runs/{run_id}/report.pdf", summary="The run report as PDF (rendered by Chromium)",
            response_class=Response, responses={**responses(), 200: {"content": {"application/pdf": {}}}})
def report_pdf(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    _authorized_run(principal, run_id)
    return _download(reports.run_report_pdf(run_id), "application/pdf", f"run-{run_id}.pdf")


@router.get("/api/v1/runs/{run_id}/results.csv", summary="The run's results as CSV",
            response_class=Response, responses={**responses(), 200: {"content": {"text/csv": {}}}})
def results_csv(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    _authorized_run(principal, run_id)
    return _download(reports.results_csv(run_id), "text/csv; charset=utf-8", f"run-{run_id}.csv")


@router.get("/api/v1/runs/{run_id}/results.xlsx", summary="The run's results as Excel",
            response_class=Response, responses={**responses(), 200: {"content": {XLSX: {}}}})
def results_xlsx(run_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    _authorized_run(principal, run_id)
    return _download(reports.results_xlsx(run_id), XLSX, f"run-{run_id}.xlsx")


@router.get("/api/v1/projects/{project}/analytics/health.csv", summary="The test health table as CSV",
            response_class=Response, responses={**responses(), 200: {"content": {"text/csv": {}}}})
def health_csv(project: str = ProjectRef, window: int = Query(10, ge=2, le=health_service.MAX_WINDOW),
               filters: FilterParams = Depends(), principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "analytics.read")
    rows = health_service.health_table(found.id, filters.resolve(found.id), window)
    return _download(reports.health_csv(rows), "text/csv; charset=utf-8", f"{found.slug}-health.csv")


def _range_name(slug: str, filters: FilterParams) -> str:
    since = filters.since.date().isoformat() if filters.since else "start"
    until = filters.until.date().isoformat() if filters.until else "now"
    return f"{slug}-summary-{since}-{until}"


@router.get("/api/v1/projects/{project}/analytics/summary.html",
            summary="The project summary for a date range as one self-contained HTML file",
            description="The dashboard's charts as static images, the test health table and the open failure "
                        "clusters; the same filters as the dashboard (since, until, suite, tag, branch, environment).",
            response_class=Response, responses={**responses(), 200: {"content": {"text/html": {}}}})
def summary_html(project: str = ProjectRef, window: int = Query(10, ge=2, le=health_service.MAX_WINDOW),
                 filters: FilterParams = Depends(), principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "analytics.read")
    body = summary.summary_html(found.id, found.name, filters.resolve(found.id), window)
    return _download(body, "text/html; charset=utf-8", _range_name(found.slug, filters) + ".html")


@router.get("/api/v1/projects/{project}/analytics/summary.pdf",
            summary="The project summary for a date range as PDF (rendered by Chromium)",
            response_class=Response, responses={**responses(), 200: {"content": {"application/pdf": {}}}})
def summary_pdf(project: str = ProjectRef, window: int = Query(10, ge=2, le=health_service.MAX_WINDOW),
                filters: FilterParams = Depends(), principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "analytics.read")
    body = summary.summary_pdf(found.id, found.name, filters.resolve(found.id), window)
    return _download(body, "application/pdf", _range_name(found.slug, filters) + ".pdf")
