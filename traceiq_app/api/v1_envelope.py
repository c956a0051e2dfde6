"""The results-upload and tests-as-code routes' way to answer an error from inside a route:
`raise ApiError(status, message)` -> `{"error": {"code", "message", "details"}}` (the envelope of
every /api/v1 error, api/errors.py), and the `{project}` (id or slug) lookup with its permission
check."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import JSONResponse

from traceiq_app.api.errors import CODES
from traceiq_app.api.errors import responses as error_responses
from traceiq_app.services.catalog.listing import Ambiguous, resolve_project
from traceiq_app.services.catalog.projects import NotFound
from traceiq_app.services.platform.permissions import Grant, PermissionDenied, Principal, authorize

__all__ = ["ApiError", "authorized_project", "error_responses"]


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details
        self.code = code or CODES.get(status, "error")

    def response(self) -> JSONResponse:
        return JSONResponse({"error": {"code": self.code, "message": self.message, "details": self.details}},
                            status_code=self.status)


def authorized_project(principal: Principal, ref: str, action: str) -> tuple[uuid.UUID, Grant]:
    """The project `ref` names, if `principal` may do `action` on it (else ApiError 403/404/409)."""
    try:
        project_id = resolve_project(principal, ref).id
    except Ambiguous as exc:
        raise ApiError(409, exc.message) from None
    except NotFound:
        raise ApiError(404, "project not found") from None
    try:
        return project_id, authorize(principal, action, project_id=project_id)
    except PermissionDenied as exc:
        raise ApiError(exc.status, exc.message) from None
