"""GET /api/v1/runs/{id}/events: the run's live events as Server-Sent Events (run.read).

Each event is `id: <stream id>`, `event: <type>` (docs/live-events.md), `data: <JSON>`. A client
that reconnects with `Last-Event-ID` (header, or `?last_event_id=`) gets only what came after
it; without one the run is replayed from its start. Comment lines (`: ping`) keep idle
connections open through proxies. The stream ends after `run.finished`; for a run that already
ended and whose Redis stream has expired, one `run.finished` built from the database is sent.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import authorize_in
from traceiq_app.models import Run, RunStatus
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import control as runs_service
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.results import run_summary

router = APIRouter(tags=["runs"])

BLOCK_MS = 2000
STREAM_ID = r"^(0|\d{1,20}-\d{1,20})$"


def _authorized_run(principal: Principal, run_id: uuid.UUID) -> Run:
    run = runs_service.get_run(run_id)
    if run is None:
        raise HTTPException(status_code=404, detail="run not found")
    authorize_in(principal, "run.read", run.project_id, "run")
    return run


def _final_run(run_id: uuid.UUID) -> Run | None:
    run = runs_service.get_run(run_id)
    return run if run is None or RunStatus(run.status).is_final else None


async def follow(run: Run, last_id: str, request: Request | None = None) -> AsyncIterator[dict[str, Any]]:
    """Events after `last_id` until run.finished (or the client leaves)."""
    import redis
    import redis.asyncio as aioredis

    from traceiq_app.settings import get_settings

    client = aioredis.from_url(get_settings().redis_url_effective, socket_connect_timeout=2)
    final = RunStatus(run.status).is_final
    try:
        while True:
            if request is not None and await request.is_disconnected():
                return
            try:
                events = await live_events.read_events_async(client, run.id, last_id,
                                                             block_ms=None if final else BLOCK_MS)
            except (redis.RedisError, OSError):
                events = []
                if not final:
                    await asyncio.sleep(1)
            for event in events:
                last_id = event.id
                yield {"id": event.id, "event": event.type, "data": json.dumps(event.data, default=str)}
                if event.type == live_events.RUN_FINISHED:
                    return
            if events:
                continue
            if final:
                ended = await run_in_threadpool(runs_service.get_run, run.id)
                summary = run_summary(ended) if ended is not None else {"status": str(run.status)}
                yield {"event": live_events.RUN_FINISHED,
                       "data": json.dumps({"run_id": str(run.id), **summary, "replayed_from": "database"})}
                return
            # Nothing new: has the run ended meanwhile? Read once more (its run.finished may
            # land just after the database commit) before answering from the database.
            final = await run_in_threadpool(_final_run, run.id) is not None
    finally:
        await client.aclose()


@router.get("/api/v1/runs/{run_id}/events", summary="Follow a run live (Server-Sent Events)",
            response_class=EventSourceResponse,
            responses={**responses(), 200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                                            "description": "the event stream"}})
async def run_events(request: Request, run_id: uuid.UUID,
                     last_event_id: str | None = Header(None, alias="Last-Event-ID", pattern=STREAM_ID),
                     resume: str | None = Query(None, alias="last_event_id", pattern=STREAM_ID,
                                                description="same as the Last-Event-ID header"),
                     principal: Principal = Depends(require_principal)) -> EventSourceResponse:
    from traceiq_app.settings import get_settings

    run = await run_in_threadpool(_authorized_run, principal, run_id)
    return EventSourceResponse(follow(run, last_event_id or resume or "0", request),
                               ping=get_settings().sse_ping_seconds,
                               headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
