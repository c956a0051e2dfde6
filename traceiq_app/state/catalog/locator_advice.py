"""Locator advice inline in the test editor: as the user edits a step's locator, the page asks
(debounced on the client, ADVICE_DEBOUNCE_MS) for advice on that target's first alternative —
brittle CSS/XPath (nth-child chains, generated ids/classes, absolute XPath, common words) and a
sturdier locator for the same element when a passing run fingerprinted it
(services/healing/advice.py `advise_locators`).

The advice is computed on the server from the editor's own draft (EditorState), never from what
the client sends; each handler authorizes `test.read` on the test's own project first."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import test_cases
from traceiq_app.services.healing.advice import advise_locators
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState
from traceiq_app.state.catalog.editor import EditorState
from traceiq_app.state.catalog.editor_forms import StepView, _parse_alt

ADVICE_DEBOUNCE_MS = 400


def advice_key(uid: str, target: str) -> str:
    return f"{uid}:{target}"


class LocatorAdviceState(ProtectedState):
    # "<step uid>:<target key>" -> {"kind", "message", "suggestion"} (absent: the locator is sound)
    advice: rx.Field[dict[str, dict[str, str]]] = rx.field({})

    def _authorize(self, editor: EditorState) -> Any:
        if editor.tid:
            owner = test_cases.project_of_test_case(editor.tid)
            if owner is None:
                raise guard.PermissionDenied("test not found", status=404)
            return guard.require(self, "test.read", owner)
        return guard.require(self, "test.read", editor.pid)

    def _advise(self, editor: EditorState, pid: Any, index: int, step: StepView, target: str,
                into: dict[str, dict[str, str]]) -> None:
        key = advice_key(step.uid, target)
        tv = next((t for t in step.targets if t.key == target), None)
        locators = []
        for alt in tv.alternatives if tv is not None else []:
            loc, error = _parse_alt(alt)
            if error:
                break
            locators.append(loc)
        found = advise_locators(pid, editor.tid or None, index, step.action, target, locators[:1]) if locators else None
        if found:
            into[key] = found
        else:
            into.pop(key, None)

    @rx.event(debounce=ADVICE_DEBOUNCE_MS)
    async def check(self, index: int, target: str) -> Any:
        """Advice for one step's target (the page calls it, debounced, as the locator is typed)."""
        editor = await self.get_state(EditorState)
        try:
            _principal, pid = self._authorize(editor)
        except guard.DENIED as exc:
            self.advice = {}
            return rx.toast.error(guard.error_message(exc))
        if not isinstance(index, int) or not 0 <= index < len(editor.steps):
            return None
        advice = dict(self.advice)
        self._advise(editor, pid, index, editor.steps[index], str(target), advice)
        self.advice = advice
        return None

    @rx.event
    async def check_all(self) -> Any:
        """Advice for every target of the test (after the editor loaded it)."""
        editor = await self.get_state(EditorState)
        try:
            _principal, pid = self._authorize(editor)
        except guard.DENIED:
            self.advice = {}
            return None
        advice: dict[str, dict[str, str]] = {}
        for index, step in enumerate(editor.steps):
            for tv in step.targets:
                self._advise(editor, pid, index, step, tv.key, advice)
        self.advice = advice
        return None
