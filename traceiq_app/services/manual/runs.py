"""Manual runs: start one, read it, record step results, override a test's outcome. This module
gathers the names callers use; the code lives by concept:

- `outcomes`: the outcome rule (any failed → failed, else blocked, else retest, else passed),
  step marks, overrides, `Conflict`;
- `run_views`: reading a run, its tests' steps, its activity, the project's runs;
- `run_start`: the selection of manual tests and `start_run`;
- `step_marks`: `record_step` (one conditional UPDATE per write: a concurrent change of the same
  step is refused, never silently overwritten), `override_outcome`, `log_attachment`.

Each change is published on the run's live-event stream (`services/runs/live_events.py`, type
`manual.step` / `manual.test`); the database stays the truth.
"""

from __future__ import annotations

from traceiq_app.services.manual.outcomes import (
    FINAL,
    OVERRIDES,
    STEP_MARKS,
    Conflict,
    derive_outcome,
    effective_outcome,
)
from traceiq_app.services.manual.run_start import (
    assignable_members,
    candidates,
    select_manual_tests,
    start_run,
    suites_with_manual_tests,
)
from traceiq_app.services.manual.run_views import (
    STEP_EVENT,
    TEST_EVENT,
    RunView,
    StepView,
    TestView,
    activity,
    latest_event_id,
    list_runs,
    project_of_run,
    project_of_step_result,
    run_view,
    test_steps,
)
from traceiq_app.services.manual.step_marks import log_attachment, override_outcome, record_step
from traceiq_app.services.runs import live_events

__all__ = [
    "FINAL", "OVERRIDES", "STEP_EVENT", "STEP_MARKS", "TEST_EVENT", "Conflict", "RunView", "StepView", "TestView",
    "activity", "assignable_members", "candidates", "derive_outcome", "effective_outcome", "latest_event_id",
    "list_runs", "live_events", "log_attachment", "override_outcome", "project_of_run", "project_of_step_result",
    "record_step", "run_view", "select_manual_tests", "start_run", "suites_with_manual_tests", "test_steps",
]
