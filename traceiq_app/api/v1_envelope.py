"""Error answers of /api/v1 routes: `{"error": {"code", "message", "details"}}` with the
right status, and the `{project}` (id or slug) lookup with its permission check.

(Small helpers of the results-upload and tests-as-code routes; the other /api/v1 routes have
the same envelope.)
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import JSONResponse

from traceiq_app.services.catalog.project_ref import resolve_project
from traceiq_app.services.platform.permissions import Grant, PermissionDenied, Principal, authorize

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
         413: "payload_too_large", 422: "validation_error", 429: "rate_limited"}



def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for these error statuses (the envelope as the example)."""
    return {status: {"description": CODES[status].replace("_", " "), "content": {"application/json": {
        "example": {"error": {"code": CODES[status], "message": "...", "details": None}}}}} for status in statuses}


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details
        self.code = code or CODES.get(status, "error")

    def response(self) -> JSONResponse:
        return JSONResponse({"error": {"code": self.code, "message": self.message, "details": self.details}},
                            status_code=self.status)


def authorized_project(principal: Principal, ref: str, action: str) -> tuple[uuid.UUID, Grant]:
    """The project `ref` names, if `principal` may do `action` on it (else ApiError 403/404)."""
    project_id = resolve_project(principal, ref)
    if project_id is None:
        raise ApiError(404, "project not found")
    try:
        return project_id, authorize(principal, action, project_id=project_id)
    except PermissionDenied as exc:
        raise ApiError(exc.status, exc.message) from None
