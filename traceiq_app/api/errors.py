"""Errors of the public API: every /api/v1 error is

    {"error": {"code": "not_found", "message": "run not found", "details": null}}

with the matching status (400/401/403/404/409/413/422/429; 500 carries a request id and never
a traceback). Validation errors list `{"field", "problem"}` pairs and never echo the input.
Routes outside /api/v1 (the web app's own sign-in routes) keep FastAPI's `{"detail": ...}`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

V1 = "/api/v1"

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 410: "gone", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_error", 429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    """Every error of /api/v1."""

    error: ErrorBody


def is_v1(request: Request) -> bool:
    return request.url.path == V1 or request.url.path.startswith(V1 + "/")


def envelope(status: int, message: str, *, code: str | None = None, details: Any = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(request: Request, status: int, message: str, *, code: str | None = None, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The envelope on /api/v1, FastAPI's `{"detail": message}` elsewhere."""
    if is_v1(request):
        return envelope(status, message, code=code, details=details, headers=headers)
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def validation_details(errors: list[Any]) -> list[dict[str, str]]:
    """`{"field", "problem"}` per error, from pydantic's error list (the input is never included)."""
    out: list[dict[str, str]] = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[1:]
        kind = err.get("type", "")
        if kind == "missing":
            problem = "required"
        elif kind == "extra_forbidden":
            problem = "unknown field"
        elif kind == "json_invalid":
            problem = "the body is not valid JSON"
        else:
            problem = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        item = {"field": ".".join(loc) or "body", "problem": problem}
        if item not in out:
            out.append(item)
    return out


def install_v1_error_handlers(app: FastAPI) -> None:
    """HTTP errors, request validation, catalog/run service errors and the 500 catch-all."""
    from traceiq_app.services.catalog.listing import Ambiguous
    from traceiq_app.services.catalog.projects import Invalid, NotFound
    from traceiq_app.services.catalog.test_cases import TestCaseInvalid
    from traceiq_app.services.platform.pagination import BadCursor
    from traceiq_app.services.runs.control import RunError

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_v1(request):
            return await http_exception_handler(request, exc)
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error").replace("_", " ")
        return envelope(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if not is_v1(request):  # field + problem, never the submitted value (api/input_errors.py)
            from traceiq_app.api.input_errors import validation_body

            return JSONResponse(validation_body(exc), status_code=422)
        return envelope(422, "the request is invalid", details=validation_details(list(exc.errors())))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, exc.message)

    @app.exception_handler(BadCursor)
    async def _cursor(request: Request, exc: BadCursor) -> Response:
        return error_response(request, 400, str(exc), code="bad_cursor",
                              details=[{"field": "cursor", "problem": "not a cursor of this list"}])

    @app.exception_handler(TestCaseInvalid)
    async def _test_invalid(request: Request, exc: TestCaseInvalid) -> Response:
        details = [{"field": (f"steps[{p.step}]" + (f".{p.field}" if p.field else "")) if p.step is not None
                    else (p.field or "definition"), "problem": p.message} for p in exc.details]
        return error_response(request, 422, "the test definition is invalid", details=details)

    @app.exception_handler(Invalid)
    async def _service_invalid(request: Request, exc: Invalid) -> Response:
        if isinstance(exc, Ambiguous):
            return error_response(request, 409, exc.message, code="conflict")
        details = []
        for problem in exc.problems:
            field, sep, rest = problem.partition(": ")
            details.append({"field": field, "problem": rest} if sep and " " not in field
                           else {"field": "", "problem": problem})
        return error_response(request, 422, exc.message, details=details)

    @app.exception_handler(RunError)
    async def _run_error(request: Request, exc: RunError) -> Response:
        message = str(exc)
        if message.endswith("not found") or "not found in this project" in message:
            return error_response(request, 404, message)
        return error_response(request, 422, message, details=[{"field": "", "problem": message}])

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        request_id = uuid.uuid4().hex
        log.exception("unhandled error on %s %s (request id %s)", request.method, request.url.path, request_id)
        if not is_v1(request):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return envelope(500, f"internal error (request id {request_id}); the server log has the details",
                        details={"request_id": request_id})


# The error responses every /api/v1 route declares in the OpenAPI document.
def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {400: "Bad request (e.g. a cursor from another list)", 401: "No or invalid credentials",
                 403: "Not allowed (role or token scope)", 404: "Not found (or not yours)",
                 409: "Conflict", 413: "Request body too large", 422: "Validation error: field + problem",
                 429: "Rate limited; see Retry-After"}
    wanted = sorted({401, 403, 404, 422, 429, *statuses})
    return {s: {"model": ErrorEnvelope, "description": described.get(s, "Error")} for s in wanted}
