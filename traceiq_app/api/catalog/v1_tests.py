"""/api/v1 test cases (native definitions in and out) and environments.

    GET|POST /api/v1/projects/{project}/tests          test.read / test.write  (filters: suite, tag, text)
    GET /api/v1/projects/{project}/tests.csv           test.read (every live test, custom fields as columns)
    GET|PUT|DELETE /api/v1/tests/{id}                  test.read / test.write / test.write (PUT: new version)
    GET /api/v1/tests/{id}/versions                    test.read
    GET|POST /api/v1/projects/{project}/environments   env.read / env.write (secrets are write-only)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.api.catalog.v1_projects import ProjectRef
from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import Paged, PageParams, authorize_in, project_for
from traceiq_app.engine.model import FORMAT_VERSION
from traceiq_app.models import EnvironmentPublic, TestCase, TestPriority
from traceiq_app.models.test_case import OPTION_KEYS
from traceiq_app.services.catalog import environments as env_service
from traceiq_app.services.catalog import listing
from traceiq_app.services.catalog import test_cases as tests_service
from traceiq_app.services.platform.pagination import clamp, decode_cursor, encode_cursor
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["tests"])


class NativeDefinition(BaseModel):
    """A test in TraceIQ's native format (docs/test-format.md): what `traceiq exec` runs."""

    model_config = ConfigDict(extra="allow")

    version: Literal[1] = FORMAT_VERSION  # type: ignore[assignment]
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    tags: list[str] = Field(default_factory=list, max_length=100)
    steps: list[dict[str, Any]] = Field(min_length=1, max_length=tests_service.MAX_STEPS)


class TestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    definition: NativeDefinition
    suite_id: uuid.UUID | None = Field(default=None, description="the folder; omit for the top level")
    priority: TestPriority = TestPriority.medium


class TestOut(BaseModel):
    __test__ = False

    id: uuid.UUID
    project_id: uuid.UUID
    suite_id: uuid.UUID | None
    version: int
    priority: str
    source_format: str
    created_at: datetime
    updated_at: datetime
    definition: dict[str, Any]

    @classmethod
    def of(cls, c: TestCase) -> TestOut:
        return cls(id=c.id, project_id=c.project_id, suite_id=c.suite_id, version=c.version,
                   priority=c.priority.value if hasattr(c.priority, "value") else str(c.priority),
                   source_format=str(getattr(c.source_format, "value", c.source_format)),
                   created_at=c.created_at, updated_at=c.updated_at, definition=c.definition())


class VersionOut(BaseModel):
    version: int
    created_at: datetime
    author_id: uuid.UUID | None
    source_format: str
    definition: dict[str, Any]


class EnvironmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    base_url: str | None = Field(default=None, max_length=2000)
    variables: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict, description="write-only: never returned")


class EnvironmentOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    base_url: str | None
    variables: dict[str, str]
    secret_names: list[str] = Field(description="names only: secret values never leave the server")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, e: EnvironmentPublic) -> EnvironmentOut:
        return cls(id=e.id, project_id=e.project_id, name=e.name, base_url=e.base_url,
                   variables=dict(e.variables or {}), secret_names=list(e.secret_names or []),
                   created_at=e.created_at, updated_at=e.updated_at)


def _parts(definition: NativeDefinition) -> dict[str, Any]:
    data = definition.model_dump(exclude_none=True)
    unknown = sorted(set(data) - {"version", "name", "description", "tags", "steps", *OPTION_KEYS})
    if unknown:
        from traceiq_app.services.catalog.projects import Invalid

        raise Invalid([f"definition.{k}: unknown field" for k in unknown])
    return {"name": data["name"], "description": data.get("description"), "tags": data.get("tags") or [],
            "steps": data["steps"], "options": {k: data[k] for k in OPTION_KEYS if k in data}}


def _test(principal: Principal, test_id: uuid.UUID, action: str) -> TestCase:
    case = listing.test_case_by_id(test_id)
    authorize_in(principal, action, case.project_id, "test")
    return case


@router.get("/api/v1/projects/{project}/tests", summary="List a project's tests", response_model=Paged[TestOut],
            responses=responses(400, 409))
def list_tests(project: str = ProjectRef, page: PageParams = Depends(),
               suite: str | None = Query(None, max_length=200, description="suite id or name (with its sub-suites)"),
               tag: str | None = Query(None, max_length=50), text: str | None = Query(None, max_length=200,
                                                                                       description="in the name"),
               principal: Principal = Depends(require_principal)) -> Paged[TestOut]:
    found, _ = project_for(principal, project, "test.read")
    result = listing.page_tests(found.id, page.limit, page.cursor, suite=suite, tag=tag, text=text)
    return Paged[TestOut](items=[TestOut.of(c) for c in result.items], next_cursor=result.next_cursor)


@router.get("/api/v1/projects/{project}/tests.csv", summary="The project's tests as CSV, custom fields as columns",
            response_class=Response, responses={**responses(), 200: {"content": {"text/csv": {}}}})
def tests_csv(project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> Response:
    from traceiq_app.services.defects import exports

    found, _ = project_for(principal, project, "test.read")
    return Response(exports.tests_csv(found.id), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{found.slug}-tests.csv"'})


@router.post("/api/v1/projects/{project}/tests", status_code=201, summary="Create a test from a native definition",
             response_model=TestOut, responses=responses(409))
def create_test(body: TestIn, project: str = ProjectRef, principal: Principal = Depends(require_principal)) -> TestOut:
    found, _ = project_for(principal, project, "test.write")
    parts = _parts(body.definition)
    case = tests_service.create_test_case(found.id, parts["name"], parts["steps"], suite_id=body.suite_id,
                                          description=parts["description"], tags=parts["tags"],
                                          priority=body.priority, options=parts["options"],
                                          author_id=principal.user_id)
    return TestOut.of(case)


@router.get("/api/v1/tests/{test_id}", summary="Get a test with its native definition", response_model=TestOut,
            responses=responses())
def get_test(test_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> TestOut:
    return TestOut.of(_test(principal, test_id, "test.read"))


@router.put("/api/v1/tests/{test_id}", summary="Replace a test's definition (saves a new version)",
            response_model=TestOut, responses=responses())
def replace_test(test_id: uuid.UUID, body: TestIn, principal: Principal = Depends(require_principal)) -> TestOut:
    case = _test(principal, test_id, "test.write")
    parts = _parts(body.definition)
    updated = tests_service.update_test_case(case.project_id, case.id, name=parts["name"], steps=parts["steps"],
                                             description=parts["description"], tags=parts["tags"],
                                             options=parts["options"], priority=body.priority,
                                             author_id=principal.user_id)
    if body.suite_id != updated.suite_id:
        updated = tests_service.move_test_case(case.project_id, case.id, body.suite_id)
    return TestOut.of(updated)


@router.delete("/api/v1/tests/{test_id}", status_code=204, summary="Delete a test", response_class=Response,
               responses=responses())
def delete_test(test_id: uuid.UUID, principal: Principal = Depends(require_principal)) -> Response:
    case = _test(principal, test_id, "test.write")
    tests_service.delete_test_case(case.project_id, case.id)
    return Response(status_code=204)


@router.get("/api/v1/tests/{test_id}/versions", summary="A test's saved versions, newest first",
            response_model=Paged[VersionOut], responses=responses(400))
def list_versions(test_id: uuid.UUID, page: PageParams = Depends(),
                  principal: Principal = Depends(require_principal)) -> Paged[VersionOut]:
    case = _test(principal, test_id, "test.read")
    rows = tests_service.list_versions(case.project_id, case.id)
    if page.cursor:
        (before,) = decode_cursor(f"versions:{case.id}", page.cursor, 1)
        rows = [r for r in rows if before.isdigit() and r.version < int(before)]
    n = clamp(page.limit)
    items = [VersionOut(version=r.version, created_at=r.created_at, author_id=r.author_id,
                        source_format=str(getattr(r.source_format, "value", r.source_format)),
                        definition=dict(r.definition or {})) for r in rows[:n]]
    more = encode_cursor(f"versions:{case.id}", rows[n - 1].version) if len(rows) > n else None
    return Paged[VersionOut](items=items, next_cursor=more)


@router.get("/api/v1/projects/{project}/environments", summary="List a project's environments (secret names only)",
            response_model=Paged[EnvironmentOut], responses=responses(400, 409))
def list_environments(project: str = ProjectRef, page: PageParams = Depends(),
                      principal: Principal = Depends(require_principal)) -> Paged[EnvironmentOut]:
    found, _ = project_for(principal, project, "env.read")
    result = listing.page_environments(found.id, page.limit, page.cursor)
    return Paged[EnvironmentOut](items=[EnvironmentOut.of(e) for e in result.items], next_cursor=result.next_cursor)


@router.post("/api/v1/projects/{project}/environments", status_code=201, summary="Create an environment",
             response_model=EnvironmentOut, responses=responses(409))
def create_environment(body: EnvironmentIn, project: str = ProjectRef,
                       principal: Principal = Depends(require_principal)) -> EnvironmentOut:
    found, _ = project_for(principal, project, "env.write")
    env = env_service.create_environment(principal, found.id, body.name, base_url=body.base_url,
                                         variables=body.variables, secrets=body.secrets)
    return EnvironmentOut.of(env)
