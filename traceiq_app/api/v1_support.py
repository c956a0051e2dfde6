"""Shared pieces of the /api/v1 routes: the page model and its query parameters, and
`project_for` (the `{project}` path value, an id or a slug, resolved then authorized).

A route module per domain (api/catalog/v1_*.py, api/runs/v1_*.py) declares its routes with
`summary=`, typed request/response models and `responses=errors.responses(...)`.
"""

from __future__ import annotations

import uuid
from typing import Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from traceiq_app.models import Project
from traceiq_app.services.catalog import listing
from traceiq_app.services.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from traceiq_app.services.platform.permissions import Grant, PermissionDenied, Principal, authorize
from traceiq_app.settings import get_settings

T = TypeVar("T")


class Paged(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next one (null: last page)."""

    items: list[T]
    next_cursor: str | None = None


class PageParams:
    def __init__(self, limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="page size"),
                 cursor: str | None = Query(None, max_length=512, description="`next_cursor` of the previous page")
                 ) -> None:
        self.limit = limit
        self.cursor = cursor or None


class Created(BaseModel):
    id: uuid.UUID
    url: str = Field(description="the page of this object in the web app")


def project_for(principal: Principal, ref: str, action: str) -> tuple[Project, Grant]:
    """The project `{project}` names (id or slug), after `authorize(principal, action)`.
    Unknown, deleted and foreign projects are all 404."""
    project = listing.resolve_project(principal, ref)
    return project, authorize(principal, action, project_id=project.id)


def authorize_in(principal: Principal, action: str, project_id: uuid.UUID, what: str) -> Grant:
    """`authorize` for an object found by its own id: not being allowed to read its project
    answers 404 like a missing object (its existence is not revealed)."""
    try:
        return authorize(principal, action, project_id=project_id)
    except PermissionDenied as exc:
        if exc.status == 404:
            raise PermissionDenied(f"{what} not found", status=404) from None
        raise


def web_url(path: str) -> str:
    return get_settings().public_url_effective.rstrip("/") + path
