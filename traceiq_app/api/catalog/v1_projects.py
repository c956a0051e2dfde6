"""/api/v1 projects and suites.

    GET|POST /api/v1/projects                      project.read (listed) / project.create (org)
    GET|PATCH|DELETE /api/v1/projects/{project}    project.read / project.update / project.delete
    GET|POST /api/v1/projects/{project}/suites     project.read / suite.write
    GET|PATCH|DELETE /api/v1/suites/{id}           project.read / suite.write / suite.write
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import Paged, PageParams, authorize_in, project_for
from traceiq_app.models import Project, Suite
from traceiq_app.models.project import SLUG_PATTERN
from traceiq_app.services.catalog import listing
from traceiq_app.services.catalog import projects as projects_service
from traceiq_app.services.catalog import suites as suites_service
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.platform.permissions import Principal, authorize

router = APIRouter(tags=["projects"])

ProjectRef = Path(description="the project's id or its slug", max_length=200)


class ProjectOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    slug: str
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, p: Project) -> ProjectOut:
        return cls(id=p.id, org_id=p.org_id, name=p.name, slug=p.slug, description=p.description,
                   created_at=p.created_at)


class ProjectDetail(ProjectOut):
    suites: int
    tests: int


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=100, pattern=SLUG_PATTERN)
    description: str | None = Field(default=None, max_length=2000)
    org_id: uuid.UUID | None = Field(default=None, description="needed only when you belong to several organizations")


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=100, pattern=SLUG_PATTERN)


class SuiteOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    created_at: datetime

    @classmethod
    def of(cls, s: Suite) -> SuiteOut:
        return cls(id=s.id, project_id=s.project_id, parent_id=s.parent_id, name=s.name, created_at=s.created_at)


class SuiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    parent_id: uuid.UUID | None = None


class SuitePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: uuid.UUID | None = Field(default=None, description="move under this suite")
    to_root: bool = Field(default=False, description="move to the top level")


def _detail(project: Project) -> ProjectDetail:
    suites, tests = listing.counts(project.id)
    return ProjectDetail(**ProjectOut.of(project).model_dump(), suites=suites, tests=tests)


@router.get("/api/v1/projects", summary="List your projects", response_model=Paged[ProjectOut],
            responses=responses(400))
def list_projects(page: PageParams = Depends(), principal: Principal = Depends(require_principal)) -> Paged[ProjectOut]:
    found = listing.page_projects(principal, page.limit, page.cursor)
    return Paged[ProjectOut](items=[ProjectOut.of(p) for p in found.items], next_cursor=found.next_cursor)


@router.post("/api/v1/projects", status_code=201, summary="Create a project", response_model=ProjectDetail,
             responses=responses(409))
def create_project(body: ProjectIn, principal: Principal = Depends(require_principal)) -> ProjectDetail:
    org_id = body.org_id or principal.token_org_id
    if org_id is None:
        from traceiq_app.services.catalog.projects import creatable_orgs

        orgs = creatable_orgs(principal)
        if len(orgs) != 1:
            raise Invalid("org_id: you may create projects in several organizations (or none); say which")
        org_id = orgs[0][0]
    authorize(principal, "project.create", org_id=org_id)
    project = projects_service.create_project(principal, org_id, body.name, slug=body.slug,
                                              description=body.description)
    return _detail(project)


@router.get("/api/v1/projects/{project}", summary="Get a project", response_model=ProjectDetail,
            responses=responses(409))
def get_project(project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> ProjectDetail:
    found, _ = project_for(principal, project, "project.read")
    return _detail(found)


@router.patch("/api/v1/projects/{project}", summary="Rename a project (name, slug)", response_model=ProjectDetail,
              responses=responses(409))
def update_project(body: ProjectPatch, project: str = ProjectRef,
                   principal: Principal = Depends(require_principal)) -> ProjectDetail:
    found, _ = project_for(principal, project, "project.update")
    updated = projects_service.rename_project(principal, found.id, body.name or found.name, slug=body.slug)
    return _detail(updated)


@router.delete("/api/v1/projects/{project}", status_code=204, summary="Delete a project", response_class=Response,
               responses=responses(409))
def delete_project(project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> Response:
    found, _ = project_for(principal, project, "project.delete")
    projects_service.delete_project(principal, found.id)
    return Response(status_code=204)


@router.get("/api/v1/projects/{project}/suites", summary="List a project's suites (folders)",
            response_model=Paged[SuiteOut], responses=responses(400, 409))
def list_suites(project: str = ProjectRef, page: PageParams = Depends(),
                principal: Principal = Depends(require_principal)) -> Paged[SuiteOut]:
    found, _ = project_for(principal, project, "project.read")
    result = listing.page_suites(found.id, page.limit, page.cursor)
    return Paged[SuiteOut](items=[SuiteOut.of(s) for s in result.items], next_cursor=result.next_cursor)


@router.post("/api/v1/projects/{project}/suites", status_code=201, summary="Create a suite",
             response_model=SuiteOut, responses=responses(409))
def create_suite(body: SuiteIn, project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> SuiteOut:
    found, _ = project_for(principal, project, "suite.write")
    return SuiteOut.of(suites_service.create_suite(found.id, body.name, body.parent_id))


@router.get("/api/v1/suites/{suite_id}", summary="Get a suite", response_model=SuiteOut, responses=responses())
def get_suite(suite_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> SuiteOut:
    suite = listing.get_suite(suite_id)
    authorize_in(principal, "project.read", suite.project_id, "suite")
    return SuiteOut.of(suite)


@router.patch("/api/v1/suites/{suite_id}", summary="Rename or move a suite", response_model=SuiteOut,
              responses=responses())
def update_suite(suite_id: uuid.UUID, body: SuitePatch, principal: Principal = Depends(require_principal)) -> SuiteOut:
    suite = listing.get_suite(suite_id)
    authorize_in(principal, "suite.write", suite.project_id, "suite")
    if body.name is not None:
        suite = suites_service.rename_suite(suite.project_id, suite.id, body.name)
    if body.parent_id is not None or body.to_root:
        suite = suites_service.move_suite(suite.project_id, suite.id, None if body.to_root else body.parent_id)
    return SuiteOut.of(suite)


@router.delete("/api/v1/suites/{suite_id}", status_code=204, summary="Delete a suite (and hide what is inside)",
               response_class=Response, responses=responses())
def delete_suite(suite_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    suite = listing.get_suite(suite_id)
    authorize_in(principal, "suite.write", suite.project_id, "suite")
    suites_service.delete_suite(suite.project_id, suite.id)
    return Response(status_code=204)
