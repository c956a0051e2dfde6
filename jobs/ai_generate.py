"""RQ job: generate a draft test from a description (services/ai/drafts.py)."""

from __future__ import annotations

import uuid
from typing import Any


def generate_test(project_id: str, user_id: str | None, description: str, start_url: str) -> dict[str, Any]:
    from traceiq_app.services.ai.drafts import generate_draft

    result = generate_draft(uuid.UUID(project_id), description, start_url, uuid.UUID(user_id) if user_id else None)
    return {"test_id": result.test_id, "problems": result.problems, "source": result.source,
            "attempts": result.attempts, "dry_run": result.dry_run.status if result.dry_run else None}
