"""Every value vocabulary stored in the database. Stored as short strings (`StrEnumType`),
so adding a member needs no migration; members compare equal to their string values."""

from __future__ import annotations

from enum import StrEnum


class OrgRole(StrEnum):
    owner = "owner"
    admin = "admin"
    member = "member"


class ProjectRole(StrEnum):
    owner = "owner"
    admin = "admin"
    editor = "editor"
    viewer = "viewer"


class SourceFormat(StrEnum):
    """Where a test case's steps came from (all are stored in the native format)."""

    native = "native"
    chrome_recorder = "chrome_recorder"
    playwright_codegen = "playwright_codegen"
    imported = "imported"  # created by uploaded results of another runner: no native steps


class TestPriority(StrEnum):
    __test__ = False  # not a pytest test class

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"

    @property
    def rank(self) -> int:
        """0 for critical .. 3 for low, for sorting."""
        return list(TestPriority).index(self)


class Browser(StrEnum):
    chromium = "chromium"
    firefox = "firefox"
    webkit = "webkit"


class VideoMode(StrEnum):
    """When a run records a video of each test: never, kept only for failed tests, or always."""

    off = "off"
    failures = "failures"
    on = "on"


class RunTrigger(StrEnum):
    ui = "ui"
    api = "api"
    cli = "cli"
    schedule = "schedule"
    rerun = "rerun"
    import_ = "import"  # results uploaded from another runner (JUnit XML, Playwright JSON)


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    passed = "passed"
    failed = "failed"
    cancelled = "cancelled"
    timed_out = "timed_out"
    error = "error"

    @property
    def is_final(self) -> bool:
        return self not in (RunStatus.queued, RunStatus.running)


class TestResultStatus(StrEnum):
    """One attempt of one test on one browser. With retries the last attempt of a test that
    failed first and then passed is `flaky`."""

    __test__ = False

    queued = "queued"
    running = "running"
    passed = "passed"
    failed = "failed"
    flaky = "flaky"
    error = "error"
    cancelled = "cancelled"
    skipped = "skipped"

    @property
    def is_final(self) -> bool:
        return self not in (TestResultStatus.queued, TestResultStatus.running)


class StepStatus(StrEnum):
    running = "running"
    passed = "passed"
    failed = "failed"
    skipped = "skipped"


class ArtifactKind(StrEnum):
    trace = "trace"
    video = "video"
    screenshot = "screenshot"
    failure_screenshot = "failure_screenshot"
    log = "log"


class ArtifactOutcome(StrEnum):
    """Outcome of the test the artifact belongs to; retention keeps failures longer."""

    passed = "passed"
    failed = "failed"
