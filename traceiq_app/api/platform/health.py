"""GET /api/health — no auth, for load balancers and `make run` smoke checks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from traceiq_app.services.platform.health import check_all

router = APIRouter()


@router.get("/api/health")
async def health() -> JSONResponse:
    components = await run_in_threadpool(check_all)
    ok = all(c.ok for c in components.values())
    body = {"status": "ok" if ok else "degraded", "components": {k: v.to_dict() for k, v in components.items()}}
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})
