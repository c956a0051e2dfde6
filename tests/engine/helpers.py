"""Helpers shared by the engine tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traceiq_app.engine.results import StepResult, TestResult

SITE_DIR = Path(__file__).resolve().parent.parent / "fixture_site"


@dataclass
class Recorder:
    """A Reporter that keeps every event, to check the callback order and payloads."""

    events: list[tuple[str, Any]]

    def test_started(self, name: str, total_steps: int) -> None:
        self.events.append(("test_started", (name, total_steps)))

    def step_started(self, index: int, action: str, name: str | None) -> None:
        self.events.append(("step_started", (index, action, name)))

    def step_finished(self, result: StepResult) -> None:
        self.events.append(("step_finished", result))

    def artifact(self, kind: str, path: Path) -> None:
        self.events.append(("artifact", (kind, path)))

    def test_finished(self, result: TestResult) -> None:
        self.events.append(("test_finished", result))


def assert_passed(result: TestResult) -> None:
    assert result.status == "passed", f"{result.error}\n" + "\n".join(
        f"{s.index}: {s.status} {s.error or ''}" for s in result.steps)


def assert_failed_at(result: TestResult, index: int, *fragments: str) -> str:
    """The test failed at step `index` (0-based) and its message contains every fragment."""
    assert result.status == "failed", (result.status, result.error)
    assert result.failed_step == index, (result.failed_step, result.error)
    message = result.steps[index].error or ""
    assert message.startswith(f"step {index + 1} ("), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "Call log" not in message and "Traceback" not in message
    return message
