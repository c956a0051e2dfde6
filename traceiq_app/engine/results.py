"""What a run produces, and the callback interface the engine reports through.

The engine never writes to a database or a queue: callers (the CLI, RQ jobs) pass a
`Reporter` and decide what to do with each event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from traceiq_app.engine.healing import HealingOptions

StepStatus = Literal["passed", "failed", "skipped"]
TestStatus = Literal["passed", "failed", "error"]
TraceMode = Literal["on", "off", "failures"]
VideoMode = Literal["on", "off", "failures"]  # "failures": recorded, kept for a failed test only


@dataclass
class StepResult:
    index: int  # 0-based index into the definition's steps
    type: str  # the step's action
    status: StepStatus
    duration_ms: int
    name: str | None = None
    error: str | None = None  # already masked
    locator_used: str | None = None  # which fallback alternative matched (describe())
    console_errors: list[str] = field(default_factory=list)
    network_errors: list[str] = field(default_factory=list)
    screenshot: str | None = None  # path of a screenshot taken at/after this step
    dialogs: list[str] = field(default_factory=list)  # "confirm: Delete?" (handled per policy)
    # Set when a failing locator was healed (engine/healing): {"slot", "from", "to", "locator"
    # (the new Locator as a dict), "score", "runner_up", "elapsed_ms", "applied", "ranked_by"
    # ("rapidfuzz" | "model"), "rank_note"?}; applied: the
    # step passed on it (False: report-only mode, the step failed and this is a proposal).
    healed: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    name: str
    status: TestStatus
    duration_ms: int
    failed_step: int | None = None
    error: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    # kind -> path or list of paths: "trace", "video", "failure_screenshot", "screenshots"
    artifacts: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # extracted values (masked)
    # slot -> fingerprint recorded on a passing step (only where the store lacked it or the
    # step's locator changed; see engine/healing).
    fingerprints: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def healed_steps(self) -> list[dict[str, Any]]:
        """[{"index", "from", "to", "score"}] for the steps that passed on a healed locator."""
        return [{"index": s.index, "from": s.healed["from"], "to": s.healed["to"], "score": s.healed["score"]}
                for s in self.steps if s.healed and s.healed.get("applied", True)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunOptions:
    artifacts_dir: Path | None = None  # None: keep no files at all
    trace: TraceMode = "failures"
    video: bool | VideoMode = False  # True = "on"
    screenshot_every_step: bool = False
    base_url: str | None = None  # rebase absolute URLs onto this origin
    variables: dict[str, str] = field(default_factory=dict)  # override the test's defaults
    secrets: dict[str, str] = field(default_factory=dict)  # secret variables (values masked)
    allowed_hosts: list[str] | None = None  # None: any host; else requests elsewhere fail the step
    # Network deny rules (engine/netpolicy.py), checked on every request and connection, host
    # names resolved. Link-local/cloud-metadata addresses (169.254.0.0/16, fe80::/10,
    # metadata.google.internal...) are denied unless allow_link_local; private and loopback
    # ranges (RFC 1918, 127/8, ::1, fc00::/7, 100.64/10) only with deny_private.
    allow_link_local: bool = False
    deny_private: bool = False
    extra_headers: dict[str, str] = field(default_factory=dict)
    default_timeout_ms: int | None = None
    ignore_https_errors: bool = False  # self-signed staging certificates
    healing: HealingOptions | None = None  # record fingerprints / heal failing locators


class Reporter(Protocol):
    """Callbacks, in order: test_started, then per step step_started + step_finished (skipped
    steps get only step_finished), then test_finished. `artifact` comes when a file is kept: a
    step's screenshots just before its step_finished, trace and videos before test_finished."""

    def test_started(self, name: str, total_steps: int) -> None: ...

    def step_started(self, index: int, action: str, name: str | None) -> None: ...

    def step_finished(self, result: StepResult) -> None: ...

    def artifact(self, kind: str, path: Path) -> None: ...

    def test_finished(self, result: TestResult) -> None: ...


class NullReporter:
    def test_started(self, name: str, total_steps: int) -> None:
        pass

    def step_started(self, index: int, action: str, name: str | None) -> None:
        pass

    def step_finished(self, result: StepResult) -> None:
        pass

    def artifact(self, kind: str, path: Path) -> None:
        pass

    def test_finished(self, result: TestResult) -> None:
        pass
