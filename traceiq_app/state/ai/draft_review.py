"""The dry run of an AI draft in the test editor: the screenshot after each step, its status and
error (services/ai/draft_screens.py), so the person reviewing the draft sees what the generated
steps did before activating it. `load` runs after the editor's own load and authorizes
`test.read` on the test's project; the images come from the authorized
`/api/v1/tests/<id>/dry-run/<step>.png`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.ai import draft_screens
from traceiq_app.services.catalog import test_cases
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState
from traceiq_app.state.catalog.editor import EditorState


class DraftReviewState(ProtectedState):
    dry_status: str = ""  # "" = no dry run kept for this test
    shots: rx.Field[list[dict[str, str]]] = rx.field([])

    @rx.event
    async def load(self) -> Any:
        editor = await self.get_state(EditorState)
        self.dry_status, self.shots = "", []
        if not editor.tid:
            return None
        try:
            owner = test_cases.project_of_test_case(editor.tid)
            if owner is None:
                raise guard.PermissionDenied("test not found", status=404)
            guard.require(self, "test.read", owner)
        except guard.DENIED:
            return None
        kept = draft_screens.manifest(editor.tid)
        if not kept:
            return None
        self.dry_status = str(kept.get("status") or "")
        self.shots = [{
            "step": str(int(row["step"]) + 1), "action": str(row.get("action") or ""),
            "status": str(row.get("status") or ""), "error": str(row.get("error") or "")[:500],
            "url": f"/api/v1/tests/{editor.tid}/dry-run/{int(row['step']) + 1}.png" if row.get("image") else "",
        } for row in kept.get("steps") or [] if isinstance(row, dict) and "step" in row]
        return None
