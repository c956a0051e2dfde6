"""The outcome rule of a manual test and the words it uses: step marks, final outcomes,
overrides, and `Conflict` (a step changed by someone else since it was loaded)."""

from __future__ import annotations

from collections.abc import Sequence

from traceiq_app.models import ManualRunTest

STEP_MARKS = ("passed", "failed", "blocked", "skipped", "retest")
# A test is complete when its outcome is one of these (retest: it has to be tested again).
FINAL = frozenset({"passed", "failed", "blocked", "skipped"})
OVERRIDES = ("passed", "failed", "blocked", "skipped", "retest")


class Conflict(Exception):
    """Somebody else changed the step since this tester loaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def derive_outcome(statuses: Sequence[str]) -> str:
    """A test's outcome from its steps: any failed → failed, else any blocked → blocked, else any
    retest → retest, else all passed/skipped → passed; "untested" when nothing is marked and
    "in_progress" while some steps are still unmarked."""
    marked = [s for s in statuses if s != "untested"]
    if "failed" in marked:
        return "failed"
    if "blocked" in marked:
        return "blocked"
    if "retest" in marked:
        return "retest"
    if not marked:
        return "untested"
    if len(marked) < len(statuses):
        return "in_progress"
    return "passed"


def effective_outcome(test: ManualRunTest) -> str:
    return test.override or test.outcome
