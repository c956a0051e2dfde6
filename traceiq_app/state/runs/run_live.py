"""The live run page (/runs/<id>): a DB snapshot, then the run's event stream.

`load` (on_load) authorizes `run.read`, loads the snapshot and starts `follow`, a background
task that reads the run's Redis Stream from "0" with XREAD BLOCK and applies each batch inside
ONE `async with self:` block (one delta per batch). Replaying from "0" after a reload neither
loses nor doubles anything: every update is keyed (test attempt id, step index) and events with
an id at or below the last applied one are skipped; a generation counter stops a task that a
newer load replaced.

State holds display strings only (errors are cut to a few KB). A step's console/network errors
come with its `step.finished` event; each finished attempt is reconciled with its step rows in
the DB. Screenshots, videos and traces are links to the authorized artifact route.

Latency (bench/bench_live.py): `_apply` copies only the rows a batch touches, the page renders
rows as memoized components (pages/runs/run_live.py), and a burst of events is coalesced into at
most one delta per PUSH_GAP_S.

Every public method is an event handler any client can call: each one authorizes through
`state.guard` first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from typing import Any

import reflex as rx

from traceiq_app.models import RunStatus
from traceiq_app.services.ai.explain import offline_explanation
from traceiq_app.services.healing import store as healing_store
from traceiq_app.services.observability import metrics
from traceiq_app.services.runs import control as runs_service
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs import views as run_views
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

FINAL = {s.value for s in RunStatus if s.is_final}
READ_COUNT = 500     # stream entries per XREAD
PUSH_GAP_S = 0.02    # least time between two live deltas to the page (a burst is coalesced)
DONE_TEST = {"passed", "failed", "flaky", "error", "cancelled"}


MAX_PLACEHOLDERS = 1000  # pending rows shown for a started test (a test can be longer)
NOTES_MAX = live_events.NOTES_MAX  # console/network errors shown per step
GLYPHS = {"passed": "✓", "failed": "✗", "skipped": "–", "running": "…", "pending": "○"}


@dataclasses.dataclass
class StepRow:
    index: int = 0
    label: str = ""
    status: str = "pending"
    glyph: str = GLYPHS["pending"]
    duration: str = ""
    error: str = ""
    console: list[str] = dataclasses.field(default_factory=list)
    network: list[str] = dataclasses.field(default_factory=list)
    screenshot: str = ""


@dataclasses.dataclass
class TestRow:
    __test__ = False

    id: str = ""
    name: str = ""
    browser: str = ""
    attempt: int = 1
    status: str = "queued"
    duration: str = ""
    duration_ms: int = 0  # for the duration bar (scaled to the run's longest test)
    error: str = ""
    total_steps: int = 0
    done_steps: int = 0
    trace: str = ""       # trace viewer URL
    video: str = ""       # artifact URL
    screenshot: str = ""  # failure screenshot artifact URL
    healed: str = ""      # "passed (healed)" / "healing proposed" (services/healing), else ""
    hint: str = ""        # likely cause of a failure (services/ai/explain.py, offline rules)
    steps: list[StepRow] = dataclasses.field(default_factory=list)


def _event_key(event_id: str) -> tuple[int, int]:
    try:
        ms, _, seq = event_id.partition("-")
        return int(ms), int(seq or 0)
    except ValueError:
        return 0, 0


def _step_label(data: dict[str, Any]) -> str:
    name = data.get("name") or ""
    action = data.get("action") or ""
    return f"{action}: {name}" if name else str(action)


def _cut(text: Any) -> str:
    return run_views._cut(str(text)) if text else ""


def _close_open_steps(t: TestRow) -> None:
    """A test that ended leaves no step running or pending on the page: a lost worker's step has
    neither a step.finished event nor a database row, so it would keep its running mark forever."""
    if t.status not in DONE_TEST:
        return
    cancelled = t.status == "cancelled"
    for pos, s in enumerate(t.steps):
        if s.status == "running":
            status = "skipped" if cancelled else "failed"
            error = s.error or ("the run was cancelled during this step" if cancelled
                                else f"the attempt ended ({t.status}) during this step: {t.error or 'no result'}")
            t.steps[pos] = dataclasses.replace(s, status=status, glyph=GLYPHS[status], error=_cut(error))
        elif s.status == "pending":
            t.steps[pos] = dataclasses.replace(s, status="skipped", glyph=GLYPHS["skipped"])


def _placeholders(t: TestRow) -> None:
    """A pending row for every step of a started test: the card has its final height from the
    start, so a finishing step changes one row's text, not the layout of the page."""
    have = {s.index for s in t.steps}
    missing = [StepRow(index=i) for i in range(min(t.total_steps, MAX_PLACEHOLDERS)) if i not in have]
    if missing:
        t.steps.extend(missing)
        t.steps.sort(key=lambda x: x.index)


def _healed_by_result(run_id: str) -> dict[str, list[dict[str, Any]]]:
    try:
        return healing_store.healed_by_result(uuid.UUID(run_id))
    except ValueError:
        return {}


def _raw(value: Any) -> Any:
    """The object behind Reflex's mutation-tracking proxy (we copy before we change anything)."""
    return getattr(value, "__wrapped__", value)


async def _next_batch(client: Any, run_id: str, last_id: str, last_push: float) -> list[live_events.LiveEvent]:
    """The stream's next events after last_id (waits up to 1 s for the first one).

    A burst is coalesced: at most one delta per PUSH_GAP_S (each delta costs the server a state
    load/save and the browser a render and a frame), while a lone event goes out at once; after
    the pause, everything waiting is taken so one delta carries it all."""
    events = await live_events.read_events_async(client, run_id, last_id, block_ms=1000, count=READ_COUNT)
    if not events:
        return events
    wait = last_push + PUSH_GAP_S - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)
    drain = wait > 0 or len(events) >= READ_COUNT
    while drain:
        more = await live_events.read_events_async(client, run_id, events[-1].id, block_ms=None, count=READ_COUNT)
        events += more
        drain = len(more) >= READ_COUNT
    return events


class RunLiveState(ProtectedState):
    run_id: str = ""
    run_pid: str = ""
    status: str = ""
    trigger: str = ""
    who: str = ""
    environment: str = ""
    branch: str = ""
    created_at: str = ""
    total: int = 0
    passed: int = 0
    failed: int = 0
    flaky: int = 0
    errors: int = 0
    duration: str = ""
    finished_tests: int = 0
    cancelled_tests: int = 0
    tests: rx.Field[list[TestRow]] = rx.field([])
    can_run: bool = False
    loaded: bool = False
    error: str = ""
    # Backend only: the last applied stream id and the follow-task generation.
    _last_id: str = "0"
    _gen: int = 0
    _steps_wanted: list[str] = []

    # ---- computed ------------------------------------------------------------------------
    @rx.var
    def progress(self) -> int:
        return int(100 * self.finished_tests / self.total) if self.total else 0

    @rx.var
    def longest_ms(self) -> int:
        """The longest test of the run: the duration bars' full width (1 when none ended yet)."""
        return max((t.duration_ms for t in self.tests), default=0) or 1

    @rx.var
    def is_final(self) -> bool:
        return self.status in FINAL

    @rx.var
    def cancelled(self) -> int:
        """Tests the run will not finish: cancelled ones, and (once the run is over) never started."""
        never_started = max(0, self.total - self.finished_tests) if self.status in FINAL else 0
        return self.cancelled_tests + never_started

    @rx.var
    def has_failures(self) -> bool:
        return self.failed + self.errors > 0

    # ---- helpers (not callable from clients) -----------------------------------------------
    def _authorized(self, action: str) -> tuple[Any, uuid.UUID]:
        return guard.require(self, action, self.run_pid)

    def _index(self) -> dict[str, int]:
        return {t.id: i for i, t in enumerate(self.tests)}

    def _recount_finished(self, tests: list[TestRow]) -> None:
        # Final attempt per test+browser: the newest row for the same name/browser wins.
        newest: dict[tuple[str, str], int] = {}
        for t in tests:
            key = (t.name, t.browser)
            newest[key] = max(newest.get(key, 0), t.attempt)
        final = [t for t in tests if t.attempt >= newest[(t.name, t.browser)]]
        finished = min(self.total, sum(1 for t in final if t.status in DONE_TEST))
        if finished != self.finished_tests:
            self.finished_tests = finished
        cancelled = sum(1 for t in final if t.status == "cancelled")
        if cancelled != self.cancelled_tests:
            self.cancelled_tests = cancelled

    def _snapshot(self, detail: dict[str, Any]) -> None:
        self.status, self.trigger, self.who = detail["status"], detail["trigger"], detail["who"] or "—"
        self.environment, self.branch, self.created_at = detail["environment"], detail["branch"], detail["created_at"]
        # A snapshot replaces the whole summary: a run without a duration yet shows none (not the
        # duration of the run this page showed before, e.g. after "Rerun failed").
        self.duration = ""
        self.passed = self.failed = self.flaky = self.errors = 0
        self._summary(detail)
        rows = []
        healed = _healed_by_result(self.run_id)
        for t in detail["tests"]:
            steps = [self._step_from_db(s) for s in t["steps"]]
            rows.append(TestRow(
                id=t["id"], name=t["name"], browser=t["browser"], attempt=t["attempt"], status=t["status"],
                duration=run_views.format_duration(t["duration_ms"]) if t["duration_ms"] is not None else "",
                duration_ms=int(t["duration_ms"] or 0),
                error=t["error"], total_steps=t["total_steps"], steps=steps,
                done_steps=sum(1 for s in steps if s.status != "running"),
                healed=healing_store.healed_label(healed.get(t["id"], []), t["status"]),
                hint=offline_explanation(t["error"]) if t["error"] and t["status"] in ("failed", "error") else "",
                trace=run_views.trace_viewer_url(t["trace"]) if t["trace"] else "",
                video=run_views.artifact_url(t["video"]) if t["video"] else "",
                screenshot=run_views.artifact_url(t["failure_screenshot"]) if t["failure_screenshot"] else "",
            ))
        self.tests = rows
        self._recount_finished(rows)

    @staticmethod
    def _step_from_db(s: dict[str, Any]) -> StepRow:
        return StepRow(
            index=s["index"], label=_step_label(s), status=s["status"], glyph=GLYPHS.get(s["status"], "○"),
            duration=run_views.format_duration(s["duration_ms"]) if s["duration_ms"] is not None else "",
            error=s["error"], console=list(s["console_errors"]), network=list(s["network_errors"]),
            screenshot=run_views.artifact_url(s["screenshot_artifact_id"]) if s["screenshot_artifact_id"] else "",
        )

    def _summary(self, data: dict[str, Any]) -> None:
        for name in ("total", "passed", "failed", "flaky", "errors"):
            if name in data and data[name] is not None:
                setattr(self, name, int(data[name]))
        if data.get("status"):
            self.status = str(data["status"])
        if data.get("duration_ms") is not None:
            self.duration = run_views.format_duration(int(data["duration_ms"]))

    def _apply(self, events: list[live_events.LiveEvent]) -> None:
        """Apply a batch (idempotent per key; events already applied are skipped).

        Copy-on-write: only the tests and steps the batch touches are new objects, so the work
        per batch does not grow with the size of the run, and the browser's delta merge keeps
        the identity of every untouched row (their memoized components do not re-render)."""
        last = _event_key(self._last_id)
        tests = [_raw(t) for t in self.tests]
        index = {t.id: i for i, t in enumerate(tests)}
        copied: set[int] = set()
        wanted = list(self._steps_wanted)

        def row(data: dict[str, Any]) -> TestRow | None:
            trid = str(data.get("test_result_id") or "")
            if not trid:
                return None
            if trid not in index:
                tests.append(TestRow(id=trid, name=str(data.get("name") or ""),
                                     browser=str(data.get("browser") or ""), attempt=int(data.get("attempt") or 1)))
                index[trid] = len(tests) - 1
                copied.add(len(tests) - 1)
            i = index[trid]
            if i not in copied:
                tests[i] = dataclasses.replace(tests[i], steps=list(tests[i].steps))
                copied.add(i)
            return tests[i]

        def step(t: TestRow, i: int) -> StepRow:
            # Steps are kept sorted by index; usually index == position.
            pos = i if i < len(t.steps) and t.steps[i].index == i else next(
                (p for p, x in enumerate(t.steps) if x.index == i), -1)
            if pos < 0:
                t.steps.append(StepRow(index=i))
                t.steps.sort(key=lambda x: x.index)
                pos = next(p for p, x in enumerate(t.steps) if x.index == i)
            # A fresh object for a changed step (the old one may be shared with the last delta).
            fresh = dataclasses.replace(t.steps[pos], console=list(t.steps[pos].console),
                                        network=list(t.steps[pos].network))
            t.steps[pos] = fresh
            return fresh

        for ev in events:
            key = _event_key(ev.id)
            if key <= last:
                continue
            last = key
            self._last_id = ev.id
            d = ev.data
            if ev.type == live_events.RUN_QUEUED:
                for item in d.get("tests") or []:
                    row(item)
                self._summary({"total": d.get("total")})
            elif ev.type == live_events.RUN_STARTED:
                if self.status not in FINAL:
                    self.status = str(d.get("status") or "running")
            elif ev.type in (live_events.TEST_QUEUED, live_events.TEST_STARTED):
                t = row(d)
                if t is not None:
                    if ev.type == live_events.TEST_STARTED:
                        t.status, t.attempt = "running", int(d.get("attempt") or t.attempt)
                        t.total_steps = int(d.get("total_steps") or t.total_steps)
                        t.name = str(d.get("name") or t.name)
                        t.browser = str(d.get("browser") or t.browser)
                        _placeholders(t)
                    elif t.status not in DONE_TEST:
                        t.status = "queued"
            elif ev.type in (live_events.STEP_STARTED, live_events.STEP_FINISHED):
                t = row(d)
                if t is not None:
                    s = step(t, int(d.get("index") or 0))
                    s.label = _step_label(d)
                    if ev.type == live_events.STEP_STARTED:
                        if s.status == "pending":
                            s.status = "running"
                    else:
                        s.status = str(d.get("status") or "passed")
                        if d.get("duration_ms") is not None:
                            s.duration = run_views.format_duration(int(d["duration_ms"]))
                        s.error = _cut(d.get("error"))
                        # Console/network errors as the step ended (events written by older
                        # workers have none: keep what the snapshot had).
                        if "console_errors" in d:
                            s.console = [_cut(x) for x in (d.get("console_errors") or [])[:NOTES_MAX]]
                        if "network_errors" in d:
                            s.network = [_cut(x) for x in (d.get("network_errors") or [])[:NOTES_MAX]]
                    s.glyph = GLYPHS.get(s.status, "○")
            elif ev.type == live_events.ARTIFACT_READY:
                t = row(d)
                aid = str(d.get("artifact_id") or "")
                if t is not None and aid:
                    kind = d.get("kind")
                    if kind == "trace":
                        t.trace = run_views.trace_viewer_url(aid)
                    elif kind == "video":
                        t.video = run_views.artifact_url(aid)
                    elif kind == "failure_screenshot":
                        t.screenshot = run_views.artifact_url(aid)
                    elif kind == "screenshot" and d.get("step_index") is not None:
                        step(t, int(d["step_index"])).screenshot = run_views.artifact_url(aid)
            elif ev.type == live_events.TEST_FINISHED:
                t = row(d)
                if t is not None:
                    t.status = str(d.get("status") or t.status)
                    t.error = _cut(d.get("error"))
                    if d.get("duration_ms") is not None:
                        t.duration = run_views.format_duration(int(d["duration_ms"]))
                        t.duration_ms = int(d["duration_ms"])
                    if t.id not in wanted:
                        wanted.append(t.id)
            elif ev.type in (live_events.RUN_PROGRESS, live_events.RUN_FINISHED):
                self._summary(d)
        if copied:
            for i in copied:
                _close_open_steps(tests[i])
                tests[i].done_steps = sum(1 for x in tests[i].steps if x.status not in ("pending", "running"))
            self.tests = tests
        self._recount_finished(tests)
        if wanted != self._steps_wanted:
            self._steps_wanted = wanted

    def _merge_steps(self, trid: str, steps: list[dict[str, Any]]) -> None:
        """Console/network errors (and errors, screenshots) of a finished attempt from the DB."""
        tests = [_raw(t) for t in self.tests]
        for i, t in enumerate(tests):
            if t.id != trid:
                continue
            live = {s.index: s for s in t.steps}
            merged = []
            for s in steps:
                row = self._step_from_db(s)
                old = live.get(row.index)
                if old is not None and old.screenshot and not row.screenshot:
                    row.screenshot = old.screenshot
                merged.append(row)
            known = {s.index for s in merged}
            # Steps that never ran (a stopped or crashed attempt) lose their pending row.
            merged += [s for s in t.steps if s.index not in known and s.status != "pending"]
            merged.sort(key=lambda x: x.index)
            tests[i] = dataclasses.replace(t, steps=merged)
            _close_open_steps(tests[i])
        self.tests = tests

    def _mark_healed(self, trid: str, healed: list[dict[str, Any]]) -> None:
        tests = [_raw(t) for t in self.tests]
        for pos, t in enumerate(tests):
            if t.id == trid:
                tests[pos] = dataclasses.replace(t, healed=healing_store.healed_label(healed, t.status))
                self.tests = tests
                return

    def _forget_run(self, next_run_id: str = "") -> None:
        """Show nothing of the current run: the page renders the run only when run_pid is set,
        so a redirect to another run never flashes this one's status and tests (a reader — or a
        test — would otherwise take the old 'failed' for the new run's)."""
        self._gen += 1  # the follow task of this run stops at its next batch
        self.tests, self.run_pid, self.status, self.total, self.finished_tests = [], "", "", 0, 0
        self.duration, self.cancelled_tests = "", 0
        self.passed = self.failed = self.flaky = self.errors = 0
        self.run_id, self.loaded = next_run_id or self.run_id, False

    # ---- events -----------------------------------------------------------------------------
    @rx.event
    def load(self) -> Any:
        self.run_id = guard.id_from_path(self, "runs") or self.run_id
        self.error, self.loaded = "", False
        try:
            principal = guard.signed_in(self)
            run = runs_service.get_run(guard.as_uuid(self.run_id, "run"))
            if run is None:
                raise guard.PermissionDenied("run not found", status=404)
            self.run_pid = str(run.project_id)
            _principal, pid = self._authorized("run.read")
            detail = run_views.run_detail(run.id)
            if detail is None:
                raise guard.PermissionDenied("run not found", status=404)
        except guard.DENIED as exc:
            self._forget_run()
            self.error, self.loaded = guard.error_message(exc), True
            return None
        self.can_run = guard.can(principal, "run.start", pid)
        self._last_id, self._steps_wanted = "0", []
        self._gen += 1  # a task of an earlier load stops at its next batch
        self._snapshot(detail)
        self.loaded = True
        return RunLiveState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            # Authorize before touching anything.
            try:
                self._authorized("run.read")
            except guard.DENIED:
                return
            gen, run_id, last_id = self._gen, self.run_id, self._last_id
        import redis.asyncio as aioredis

        from traceiq_app.settings import get_settings

        client = aioredis.from_url(get_settings().redis_url_effective, socket_connect_timeout=2)
        idle_after_final = 0.0
        idle_checks, final, gap = 0, False, False
        caught_up = False
        last_push = 0.0
        try:
            while True:
                try:
                    events = await _next_batch(client, run_id, last_id, last_push)
                except Exception:  # noqa: BLE001 - Redis hiccup: retry shortly
                    gap = True  # events may have been missed: reconcile with the database once back
                    await asyncio.sleep(1)
                    async with self:
                        if self._gen != gen or self.status in FINAL:
                            return
                    continue
                if gap:
                    gap = False
                    if not await self._resync(gen, run_id):
                        return
                wanted: list[str] = []
                if not events and not final:
                    idle_checks += 1
                    if idle_checks < 5:  # idle: look at the state (generation, status) every ~5 s
                        continue
                idle_checks = 0
                if events:
                    last_push = time.monotonic()
                async with self:
                    if self._gen != gen:
                        return
                    if events:
                        self._apply(events)
                        idle_after_final = 0.0
                    last_id = self._last_id
                    final = self.status in FINAL
                    if self._steps_wanted:
                        wanted, self._steps_wanted = list(self._steps_wanted), []
                if events and caught_up:  # publish -> delta sent to the page (not the replay)
                    metrics.observe_live_delivery(time.time() - _event_key(events[-1].id)[0] / 1000)
                caught_up = True
                for trid in wanted:
                    steps = await asyncio.to_thread(run_views.test_steps, uuid.UUID(run_id), uuid.UUID(trid))
                    healed = await asyncio.to_thread(healing_store.healed_for_result, uuid.UUID(trid))
                    async with self:
                        if self._gen != gen:
                            return
                        self._merge_steps(trid, steps)
                        if healed:
                            self._mark_healed(trid, healed)
                if final and not events:
                    # Artifacts of tests that were running at a cancel arrive after run.finished.
                    if not idle_after_final:
                        idle_after_final = time.monotonic()
                    elif time.monotonic() - idle_after_final > 3:
                        # The run ended: show exactly what the database holds (events lost in
                        # a Redis outage or republished late cannot leave a stale row).
                        await self._resync(gen, run_id)
                        return
        finally:
            await client.aclose()

    async def _resync(self, gen: int, run_id: str) -> bool:
        """Replace the rows with a fresh database snapshot; False when this task is stale."""
        try:
            detail = await asyncio.to_thread(run_views.run_detail, uuid.UUID(run_id))
        except Exception:  # noqa: BLE001 - the database is briefly away too: keep what we have
            return True
        async with self:
            if self._gen != gen:
                return False
            if detail is not None:
                self._snapshot(detail)
        return True

    @rx.event
    def cancel(self) -> Any:
        try:
            principal, _pid = self._authorized("run.cancel")
            run = runs_service.cancel_run(uuid.UUID(self.run_id), RunStatus.cancelled,
                                          reason=f"cancelled by {principal.label}")
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        if run is None:
            return rx.toast.error("run not found")
        return rx.toast.success("Run cancelled")

    @rx.event
    def rerun_failed(self) -> Any:
        try:
            principal, _pid = self._authorized("run.start")
            run = run_views.rerun_failed(uuid.UUID(self.run_id), user_id=principal.user_id)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except runs_service.RunError as exc:
            return rx.toast.error(str(exc))
        self._forget_run(str(run.id))
        return [rx.toast.success(f"Rerunning {run.total} failed test(s)"), rx.redirect(f"/runs/{run.id}")]
