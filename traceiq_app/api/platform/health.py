"""Health over HTTP, for load balancers, monitoring and `make run` smoke checks.

    GET /api/health/live   200 {"status": "ok"} while the web process serves requests (no
                           database, Redis or worker involved): the load balancer's liveness check
    GET /api/health        200/503 with the overall status of database, Redis, workers and
                           storage; the per-component details only for a signed-in organization
                           owner/admin or `Authorization: Bearer $TRACEIQ_HEALTH_TOKEN` (they
                           name hosts, drivers and errors, which anonymous callers must not see)
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from traceiq_app.services.platform.health import check_all
from traceiq_app.settings import get_settings

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/api/health/live")
async def live() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _may_see_details(request: Request) -> bool:
    """The health token, or a signed-in owner/admin of any organization (cookie or API token)."""
    from traceiq_app.api.deps import client_ip
    from traceiq_app.db import session_scope
    from traceiq_app.services.accounts import tokens, web_sessions
    from traceiq_app.services.accounts.users import memberships
    from traceiq_app.services.platform.permissions import PermissionDenied, authorize

    expected = get_settings().health_token
    bearer = _bearer(request)
    if expected and bearer and hmac.compare_digest(bearer.encode(), expected.encode()):
        return True
    try:
        if bearer:
            principal = tokens.verify_token(bearer, ip=client_ip(request))
        else:
            principal = web_sessions.resolve(request.cookies.get(web_sessions.COOKIE_NAME), ip=client_ip(request))
        if principal is None:
            return False
        with session_scope() as session:
            orgs = [m.org_id for m in memberships(session, principal.user_id)]
        for org_id in orgs:
            try:
                authorize(principal, "audit.read", org_id=org_id)  # owners and admins
                return True
            except PermissionDenied:
                continue
    except Exception:  # noqa: BLE001 - a database outage must not turn health into a 500
        return False
    return False


@router.get("/api/health")
async def health(request: Request) -> JSONResponse:
    components = await run_in_threadpool(check_all)
    ok = all(c.ok for c in components.values())
    body: dict[str, object] = {"status": "ok" if ok else "degraded"}
    if await run_in_threadpool(_may_see_details, request):
        body["components"] = {k: v.to_dict() for k, v in components.items()}
    return JSONResponse(body, status_code=200 if ok else 503, headers=NO_STORE)
