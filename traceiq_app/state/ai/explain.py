""""Explain this failure" on the run page: the button on a failed result asks
services/ai/explain_result.py (the model when the project may use it, under its AI rate limit;
else the offline rules with a clear note why). `explain` authorizes `run.read` on the result's
own project (looked up server-side), then calls the model off the event loop: a background
event, so the page stays live while the model thinks."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from traceiq_app.services.ai.explain_result import explain_result, project_of_result
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class ExplainState(ProtectedState):
    # test result id -> {"summary", "source" ("llm" | "offline"), "note"}
    explanations: rx.Field[dict[str, dict[str, str]]] = rx.field({})
    busy: rx.Field[list[str]] = rx.field([])  # results being explained

    @rx.event(background=True)
    async def explain(self, test_result_id: str) -> Any:
        rid = str(test_result_id)[:64]
        async with self:
            try:
                pid = project_of_result(rid)
                if pid is None:
                    raise guard.PermissionDenied("test result not found", status=404)
                guard.require(self, "run.read", pid)
            except guard.DENIED as exc:
                return rx.toast.error(guard.error_message(exc))
            if rid in self.busy:
                return None
            self.busy = [*self.busy, rid]
        try:
            found = await asyncio.to_thread(explain_result, pid, rid)
            entry = {"summary": found.summary, "source": found.source, "note": found.note}
        except guard.DENIED as exc:
            entry = {"summary": "", "source": "offline", "note": guard.error_message(exc)}
        finally:
            async with self:
                self.busy = [b for b in self.busy if b != rid]
        async with self:
            self.explanations = {**self.explanations, rid: entry}
        return None
