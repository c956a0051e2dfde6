"""What a parsed report of another runner holds, whatever its format: tests (by suite path and
name), each with one or more attempts (retries), each attempt with its steps, error and
attachments. The parsers (`junit`, `playwright_json`) produce it; `store` writes it as a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Attempt statuses (the stored TestResultStatus values a parser may produce).
PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


class ReportInvalid(ValueError):
    """A file could not be read: `problems` are readable lines, each naming the file and, when
    known, the line (XML) or the JSON path."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Attachment:
    """A file an attempt refers to: `path` as the report names it (matched against the uploaded
    attachments by path, then by file name), or inline `body` bytes."""

    name: str
    content_type: str
    path: str | None = None
    body: bytes | None = None


@dataclass
class Step:
    title: str
    status: str  # passed | failed | skipped
    duration_ms: int | None = None
    error: str | None = None


@dataclass
class Attempt:
    status: str  # passed | failed | error | skipped
    duration_ms: int | None = None
    error: str | None = None
    started_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    output: str | None = None  # system-out / stdout (kept as a log artifact)


@dataclass
class ParsedTest:
    suite_path: list[str]  # folder path in the project: file, describe blocks / testsuite, class
    name: str
    browser: str = "chromium"
    attempts: list[Attempt] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedReport:
    format: str  # "junit" | "playwright-json"
    tests: list[ParsedTest] = field(default_factory=list)
    started_at: datetime | None = None
    duration_ms: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
