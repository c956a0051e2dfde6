"""/manual-runs/<id>: step through a manual run.

`load` (on_load) authorizes `manual_run.read`, loads the run from the database and starts
`follow`, a background task reading the run's live-event stream (the mechanism of the live run
page, `services/runs/live_events.py`): another tester's result reloads the affected rows from the
database (the truth) at once. Every write authorizes `manual_run.write`; a step write carries
the version the tester saw, so a concurrent edit of the same step is refused with a message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import reflex as rx

from traceiq_app.services.manual import lifecycle
from traceiq_app.services.manual import runs as manual_runs
from traceiq_app.services.runs import live_events
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

MARKS = {"p": "passed", "f": "failed", "b": "blocked", "s": "skipped", "r": "retest"}


def defect_url(pid: str, run: manual_runs.RunView, test: manual_runs.TestView,
               steps: list[manual_runs.StepView], step: manual_runs.StepView) -> str:
    """The "Raise defect" link: the defect form pre-filled from the failed step."""
    lines = ["## Steps to reproduce", ""]
    if test.preconditions:
        lines += [f"Preconditions: {test.preconditions}", ""]
    for s in steps[: step.index + 1]:
        lines.append(f"{s.index + 1}. {s.action}" + (f" (data: {s.data})" if s.data else ""))
    lines += ["", "## Expected", "", step.expected or "(not stated)", "", "## Actual", "",
              step.actual or f"step {step.index + 1} failed", "", "## Environment", "",
              f"- Environment: {run.environment or '—'}", f"- Build: {run.build_label or '—'}",
              f"- Manual run: {run.name} (/manual-runs/{run.id})", f"- Test: {test.name}"]
    if run.milestone:
        lines.append(f"- Milestone: {run.milestone}")
    if step.attachments:
        lines += ["", "## Screenshots", ""]
        lines += [f"- [{a['filename']}](/api/manual/attachments/{a['id']})" for a in step.attachments]
    title = f"{test.name}: step {step.index + 1} failed — {step.action}"[:200]
    query = urlencode({"title": title, "description": "\n".join(lines), "manual_result": step.id}, quote_via=quote)
    return f"/projects/{pid}/defects/new?{query}"


@dataclasses.dataclass
class AttachmentItem:
    id: str = ""
    filename: str = ""
    content_type: str = ""
    is_image: bool = False


@dataclasses.dataclass
class TestItem:
    id: str = ""
    name: str = ""
    outcome: str = ""
    assignee: str = ""
    done: int = 0
    total: int = 0


@dataclasses.dataclass
class StepItem:
    id: str = ""
    index: int = 0
    number: int = 1
    action: str = ""
    data: str = ""
    expected: str = ""
    status: str = ""
    actual: str = ""
    version: int = 0
    by: str = ""
    at: str = ""
    attachments: list[AttachmentItem] = dataclasses.field(default_factory=list)
    defect_url: str = ""


class ManualRunState(ProtectedState):
    mrun_id: str = ""
    pid: str = ""
    name: str = ""
    environment: str = ""
    build_label: str = ""
    milestone: str = ""
    status: str = "open"
    closed_by: str = ""
    closed_at: str = ""
    percent: int = 0
    complete: int = 0
    total: int = 0
    tests: rx.Field[list[TestItem]] = rx.field([])
    current_test: str = ""
    current_name: str = ""
    current_outcome: str = ""
    current_derived: str = ""
    current_reason: str = ""
    preconditions: str = ""
    steps: rx.Field[list[StepItem]] = rx.field([])
    current_step: int = 0
    activity: list[dict[str, str]] = []
    can_write: bool = False
    loaded: bool = False
    error: str = ""
    conflict: str = ""
    _last_id: str = "0"
    _gen: int = 0
    _notes: dict[str, str] = {}

    @rx.var
    def current_step_id(self) -> str:
        if 0 <= self.current_step < len(self.steps):
            return self.steps[self.current_step].id
        return ""

    def _authorized(self, action: str) -> tuple[Any, uuid.UUID]:
        return guard.require(self, action, self.pid)

    def _reload(self) -> None:
        pid = uuid.UUID(self.pid)
        view = manual_runs.run_view(pid, self.mrun_id)
        self.name, self.environment, self.build_label = view.name, view.environment, view.build_label
        self.milestone, self.percent, self.complete, self.total = view.milestone, view.percent, view.complete, view.total
        self.status, self.closed_by, self.closed_at = view.status, view.closed_by, view.closed_at
        self.tests = [TestItem(id=t.id, name=t.name, outcome=t.outcome, assignee=t.assignee, done=t.done,
                               total=t.total) for t in view.tests]
        if not self.current_test or self.current_test not in {t.id for t in view.tests}:
            self.current_test = view.tests[0].id if view.tests else ""
        test = next((t for t in view.tests if t.id == self.current_test), None)
        if test is None:
            self.steps = []
            return
        self.current_name, self.current_outcome, self.current_derived = test.name, test.outcome, test.derived
        self.current_reason, self.preconditions = test.override_reason, test.preconditions
        steps = manual_runs.test_steps(pid, self.mrun_id, test.id)
        self.steps = [StepItem(
            id=s.id, index=s.index, number=s.index + 1, action=s.action, data=s.data, expected=s.expected,
            status=s.status, actual=s.actual, version=s.version, by=s.by, at=s.at,
            attachments=[AttachmentItem(id=a["id"], filename=a["filename"], content_type=a["content_type"],
                                        is_image=a["content_type"].startswith("image/")) for a in s.attachments],
            defect_url=defect_url(self.pid, view, test, steps, s) if s.status == "failed" else "")
            for s in steps]
        self.current_step = min(self.current_step, max(len(self.steps) - 1, 0))
        self.activity = manual_runs.activity(pid, self.mrun_id, limit=30)

    @rx.event
    def load(self) -> Any:
        self.mrun_id = guard.id_from_path(self, "manual-runs") or self.mrun_id
        self.error, self.conflict, self.loaded = "", "", False
        try:
            principal = guard.signed_in(self)
            pid = manual_runs.project_of_run(self.mrun_id)
            if pid is None:
                raise guard.PermissionDenied("manual run not found", status=404)
            self.pid = str(pid)
            self._authorized("manual_run.read")
            self._last_id = manual_runs.latest_event_id(self.mrun_id)
            self._reload()
        except guard.DENIED as exc:
            self.pid, self.tests, self.steps = "", [], []
            self.error, self.loaded = guard.error_message(exc), True
            return None
        self.can_write = guard.can(principal, "manual_run.write", uuid.UUID(self.pid))
        self._gen += 1
        self.loaded = True
        return ManualRunState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            try:
                self._authorized("manual_run.read")
            except guard.DENIED:
                return
            gen, run_id, last_id = self._gen, self.mrun_id, self._last_id
        import redis.asyncio as aioredis

        from traceiq_app.settings import get_settings

        client = aioredis.from_url(get_settings().redis_url_effective, socket_connect_timeout=2)
        try:
            while True:
                try:
                    events = await live_events.read_events_async(client, run_id, last_id, block_ms=1000)
                except Exception:  # noqa: BLE001 - Redis hiccup: retry shortly
                    await asyncio.sleep(1)
                    events = []
                async with self:
                    if self._gen != gen:
                        return
                    if events:
                        last_id = events[-1].id
                        try:
                            self._authorized("manual_run.read")  # a role removed meanwhile
                            self._reload()
                        except guard.DENIED:
                            return
        finally:
            await client.aclose()

    def _select_test(self, run_test_id: str) -> None:
        try:
            self._authorized("manual_run.read")
        except guard.DENIED as exc:
            self.error = guard.error_message(exc)
            return
        self.current_test, self.current_step, self.conflict = str(run_test_id), 0, ""
        self._reload()

    def _move_test(self, delta: int) -> None:
        try:
            self._authorized("manual_run.read")
        except guard.DENIED as exc:
            self.error = guard.error_message(exc)
            return
        ids = [t.id for t in self.tests]
        if ids:
            at = ids.index(self.current_test) if self.current_test in ids else 0
            self._select_test(ids[(at + int(delta)) % len(ids)])

    def _select_step(self, index: int) -> None:
        if self.steps:
            self.current_step = max(0, min(int(index), len(self.steps) - 1))

    @rx.event
    def select_test(self, run_test_id: str) -> None:
        self._select_test(run_test_id)

    @rx.event
    def move_test(self, delta: int) -> None:
        self._move_test(delta)

    @rx.event
    def select_step(self, index: int) -> None:
        self._select_step(index)

    @rx.event
    def keep_note(self, step_id: str, text: str) -> None:
        """The tester's actual-result note for a step (kept until the step is marked)."""
        self._notes = {**self._notes, str(step_id): str(text)[:10_000]}

    @rx.event
    def mark(self, status: str) -> Any:
        """Mark the current step, save its note, and move on to the next step."""
        return self._mark(status)

    def _mark(self, status: str) -> Any:
        if not self.steps:
            return None
        step = self.steps[self.current_step]
        try:
            principal, pid = self._authorized("manual_run.write")
            note = self._notes.get(step.id)
            manual_runs.record_step(pid, self.mrun_id, step.id, principal, status=str(status),
                                    actual=note, expected_version=step.version)
        except manual_runs.Conflict as exc:
            self.conflict = exc.message
            self._notes = {k: v for k, v in self._notes.items() if k != step.id}
            self._reload()
            return rx.toast.error(exc.message, duration=10_000)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self.conflict = ""
        self._notes = {k: v for k, v in self._notes.items() if k != step.id}
        self._reload()
        if self.current_step < len(self.steps) - 1:
            self.current_step += 1
        return None

    @rx.event
    def mark_key(self, key: str) -> Any:
        """Keyboard: p/f/b/s/r mark the current step, n next step, N / j next test, k previous."""
        if key in MARKS:
            return self._mark(MARKS[key])
        if key == "n":
            self._select_step(self.current_step + 1)
        elif key in ("N", "j"):
            self._move_test(1)
        elif key == "k":
            self._move_test(-1)
        return None

    @rx.event
    def override(self, form: dict[str, Any]) -> Any:
        try:
            principal, pid = self._authorized("manual_run.write")
            outcome = str(form.get("outcome") or "")
            manual_runs.override_outcome(pid, self.mrun_id, self.current_test, principal,
                                         outcome=outcome or None, reason=str(form.get("reason") or ""))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._reload()
        return rx.toast.success("Outcome overridden" if outcome else "Override cleared")

    @rx.event
    def after_upload(self, result: Any) -> Any:
        """The page's script uploaded a pasted/picked file (an authorized route): show the
        result; the live event refreshes every tab of the run."""
        try:
            self._authorized("manual_run.read")
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._reload()
        text = str(result or "")
        if text.startswith("error:"):
            return rx.toast.error(text[6:].strip() or "the file was not attached", duration=10_000)
        if text:
            return rx.toast.success(f"Attached {text}")
        return None

    def _set_status(self, close: bool) -> Any:
        try:
            principal, pid = self._authorized("manual_run.write")
            (lifecycle.close_run if close else lifecycle.reopen_run)(pid, self.mrun_id, principal)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self.conflict = ""
        self._reload()
        return rx.toast.success("Run closed" if close else "Run reopened")

    @rx.event
    def close_run(self) -> Any:
        """Close the run: its results become final (marks are refused until it is reopened)."""
        return self._set_status(True)

    @rx.event
    def reopen_run(self) -> Any:
        return self._set_status(False)
