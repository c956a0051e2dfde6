"""/api/v1 for AI drafts: the screenshots of a draft's dry run (services/ai/draft_screens.py).

    GET /api/v1/tests/{id}/dry-run/{step}.png     test.read (step: 1-based, as the editor numbers it)
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, HTTPException, Response

from traceiq_app.api.deps import require_principal
from traceiq_app.api.errors import responses
from traceiq_app.api.v1_support import authorize_in
from traceiq_app.services.ai import draft_screens
from traceiq_app.services.catalog import listing
from traceiq_app.services.platform.permissions import Principal

router = APIRouter(tags=["tests"])


@router.get("/api/v1/tests/{test_id}/dry-run/{step}.png", summary="A screenshot of an AI draft's dry run",
            response_class=Response, responses={**responses(), 200: {"content": {"image/png": {}},
                                                                    "description": "the screenshot"}})
def dry_run_screenshot(test_id: uuid.UUID, step: int, principal: Principal = Depends(require_principal)) -> Response:
    case = listing.test_case_by_id(test_id)
    authorize_in(principal, "test.read", case.project_id, "test")
    data = draft_screens.image(case.id, step - 1) if 1 <= step <= 10_000 else None
    if data is None:
        raise HTTPException(status_code=404, detail=f"no dry-run screenshot for step {step} of this test")
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, no-store",
                                                           "X-Content-Type-Options": "nosniff"})
