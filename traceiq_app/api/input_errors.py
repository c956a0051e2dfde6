"""Malformed input answers a 4xx that names the field and the problem, never the submitted value.

FastAPI's default 422 repeats every rejected value (`"input": ...`): a 900 KB password came back
in the error, and a `NaN` in a number field could not even be serialised (a 500). This handler
lists `{"field": "body.retries", "problem": "..."}` only. Text that cannot be stored or sent
(a lone UTF-16 surrogate such as `\\ud800` that reached an encoder) answers 400 instead of a 500.

Installed by `create_api()` BEFORE `deps.install_error_handlers`, so a handler installed there
for the same exception (the API's error envelope) takes precedence.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_PROBLEMS = 20


def field_problems(exc: RequestValidationError) -> list[dict[str, str]]:
    problems = []
    for error in exc.errors()[:MAX_PROBLEMS]:
        loc = [str(part) for part in error.get("loc", ()) if part != "__root__"]
        problems.append({"field": ".".join(loc) or "body", "problem": str(error.get("msg", "is not valid"))[:300]})
    return problems


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    problems = field_problems(exc)
    first = problems[0] if problems else {"field": "body", "problem": "is not valid"}
    return {"detail": problems, "error": {"code": "validation_error", "message": f"{first['field']}: {first['problem']}",
                                          "details": {"fields": problems}}}


def install_input_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc), status_code=422)

    @app.exception_handler(UnicodeEncodeError)
    async def _unencodable(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        message = "text contains characters that are not valid Unicode (a lone surrogate such as \\ud800)"
        return JSONResponse({"detail": message, "error": {"code": "invalid_text", "message": message,
                                                         "details": {}}}, status_code=400)
