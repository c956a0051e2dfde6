"""Write a parsed report as a finished run with trigger `import`, all or nothing.

* Folders and test cases are matched by suite path + name in the project (live ones), and
  created when missing (test cases with source format `imported`: they have no native steps
  and native runs skip them).
* Each attempt is a `test_results` row (attempt 1, 2, ...); a test that failed and then passed
  ends `flaky`. Steps (Playwright `test.step`s) are `step_results` rows; the test result's
  definition snapshot lists them, so the run page shows "n / n steps" as for native runs.
* Attachments are matched with the uploaded files (see `match_files`), uploaded to the artifact
  storage first, and recorded in the same transaction as the run; if that transaction fails the
  uploaded objects are deleted again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Artifact,
    ArtifactKind,
    Browser,
    Project,
    Run,
    RunStatus,
    RunTrigger,
    SourceFormat,
    StepResult,
    StepStatus,
    Suite,
    TestCase,
    TestResult,
    TestResultStatus,
    utcnow,
)
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.platform.storage import ArtifactStorage, StorageError, get_storage
from traceiq_app.services.runs.artifacts import content_type_for
from traceiq_app.services.runs.imported_results.report import (
    FAILED,
    PASSED,
    Attachment,
    Attempt,
    ParsedReport,
    ParsedTest,
)
from traceiq_app.services.runs.results import close_analytics, final_run_status, recount
from traceiq_app.services.runs.retention import expiry_for, outcome_for

IMPORTED_ACTION = "test.step"


@dataclass
class PlannedArtifact:
    test_result_id: uuid.UUID
    kind: ArtifactKind
    source: Path | None
    body: bytes | None
    name: str
    content_type: str
    step_index: int | None = None


@dataclass
class StoreOutcome:
    run_id: uuid.UUID
    tests: int
    attempts: int
    artifacts: int
    created_tests: int
    created_suites: int
    format: str = ""
    missing_attachments: list[str] = field(default_factory=list)
    unused_attachments: list[str] = field(default_factory=list)


# ---- attachments -------------------------------------------------------------------------------
def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("/", ".", ""))


def match_files(wanted: str, uploaded: dict[str, Path]) -> str | None:
    """The uploaded file (by its relative name) a report's attachment path refers to: the longest
    common tail of path components wins (`/ci/app/test-results/a/trace.zip` ~ `a/trace.zip`);
    a bare file name matches when exactly one upload has it."""
    want = _parts(wanted)
    if not want:
        return None
    best, best_len = None, 0
    for name in uploaded:
        have = _parts(name)
        n = 0
        while n < min(len(want), len(have)) and want[-1 - n] == have[-1 - n]:
            n += 1
        if n > best_len or (n == best_len and n and best is not None and len(have) < len(_parts(best))):
            best, best_len = name, n
    if best is None:
        return None
    if best_len >= 2 or best_len == len(want) or best_len == len(_parts(best)):
        if best_len == 1:
            same = [n for n in uploaded if _parts(n)[-1:] == want[-1:]]
            return best if len(same) == 1 else None
        return best
    return None


def kind_for(attachment: Attachment, attempt_failed: bool) -> ArtifactKind:
    name, ctype = attachment.name.lower(), attachment.content_type.lower()
    path = (attachment.path or "").lower()
    if name == "trace" or path.endswith("trace.zip"):
        return ArtifactKind.trace
    if name == "video" or ctype.startswith("video/") or path.endswith(".webm"):
        return ArtifactKind.video
    if name == "screenshot" or ctype.startswith("image/") or path.endswith((".png", ".jpg", ".jpeg")):
        return ArtifactKind.failure_screenshot if attempt_failed else ArtifactKind.screenshot
    return ArtifactKind.log


# ---- catalog matching --------------------------------------------------------------------------
class _Catalog:
    """Live folders and tests of the project, found or created inside the import's session."""

    def __init__(self, session: Session, project_id: uuid.UUID, author_id: uuid.UUID | None) -> None:
        self.session, self.project_id, self.author_id = session, project_id, author_id
        suites = session.exec(select(Suite).where(Suite.project_id == project_id,
                                                  col(Suite.deleted_at).is_(None))).all()
        self.suites: dict[tuple[uuid.UUID | None, str], Suite] = {}
        for suite in sorted(suites, key=lambda s: (s.position, str(s.id))):
            self.suites.setdefault((suite.parent_id, suite.name), suite)
        cases = session.exec(select(TestCase).where(TestCase.project_id == project_id,
                                                    col(TestCase.deleted_at).is_(None))).all()
        self.cases: dict[tuple[uuid.UUID | None, str], TestCase] = {}
        for case in sorted(cases, key=lambda c: (c.position, str(c.id))):
            self.cases.setdefault((case.suite_id, case.name), case)
        self.created_suites = self.created_tests = 0
        self.new_suites: list[Suite] = []
        self.new_cases: list[TestCase] = []

    def write_new(self) -> None:
        """Insert what was created, parents first (ids are made in Python; rows of one table go
        in the order they were added, and no ORM relationship orders different tables)."""
        for rows in (self.new_suites, self.new_cases, [c.version_row(self.author_id) for c in self.new_cases]):
            self.session.add_all(rows)
            self.session.flush()

    def suite_for(self, path: list[str]) -> uuid.UUID | None:
        parent: uuid.UUID | None = None
        for raw in path:
            name = (raw.strip() or "(unnamed)")[:200]
            suite = self.suites.get((parent, name))
            if suite is None:
                position = sum(1 for (p, _n) in self.suites if p == parent)
                suite = Suite(project_id=self.project_id, name=name, parent_id=parent, position=position)
                self.new_suites.append(suite)
                self.suites[(parent, name)] = suite
                self.created_suites += 1
            parent = suite.id
        return parent

    def case_for(self, test: ParsedTest) -> TestCase:
        suite_id = self.suite_for(test.suite_path)
        case = self.cases.get((suite_id, test.name))
        if case is None:
            position = sum(1 for (s, _n) in self.cases if s == suite_id)
            case = TestCase(project_id=self.project_id, suite_id=suite_id, name=test.name, tags=[], steps=[],
                            options={}, source_format=SourceFormat.imported, position=position,
                            created_by=self.author_id)
            self.new_cases.append(case)
            self.cases[(suite_id, test.name)] = case
            self.created_tests += 1
        return case


# ---- the run -----------------------------------------------------------------------------------
def _definition(test: ParsedTest, attempt: Attempt, fmt: str) -> dict[str, Any]:
    return {"name": test.name, "source": fmt, "suite": list(test.suite_path),
            "steps": [{"action": IMPORTED_ACTION, "name": s.title[:500]} for s in attempt.steps]}


def _statuses(attempts: list[Attempt]) -> list[TestResultStatus]:
    out = [TestResultStatus(a.status) for a in attempts]
    if len(out) > 1 and out[-1] == TestResultStatus.passed and any(s != TestResultStatus.passed for s in out[:-1]):
        out[-1] = TestResultStatus.flaky
    return out


def store_report(project_id: uuid.UUID, report: ParsedReport, uploaded: dict[str, Path], *,
                 principal: Principal | None, branch: str | None = None, commit_sha: str | None = None,
                 storage: ArtifactStorage | None = None) -> StoreOutcome:
    """The whole report as one finished run (raises nothing half-done: see the module doc)."""
    storage = storage or get_storage()
    now = utcnow()
    run_started = report.started_at or min((a.started_at for t in report.tests for a in t.attempts
                                            if a.started_at), default=None)
    duration = report.duration_ms
    if duration is None:
        duration = sum(a.duration_ms or 0 for t in report.tests for a in t.attempts)
    started = run_started or now - timedelta(milliseconds=duration)
    finished = started + timedelta(milliseconds=duration)
    uploaded_keys: list[str] = []
    try:
        return _store(project_id, report, uploaded, principal, branch, commit_sha, storage, started, finished,
                      duration, uploaded_keys)
    except BaseException:
        _delete_quietly(storage, uploaded_keys)  # the run was rolled back: no orphan objects
        raise


def _store(project_id: uuid.UUID, report: ParsedReport, uploaded: dict[str, Path], principal: Principal | None,
           branch: str | None, commit_sha: str | None, storage: ArtifactStorage, started: datetime,
           finished: datetime, duration: int, uploaded_keys: list[str]) -> StoreOutcome:
    used: set[str] = set()
    missing: list[str] = []
    planned_artifacts: list[PlannedArtifact] = []
    with session_scope() as session:
        project = session.get(Project, project_id)
        assert project is not None and project.deleted_at is None
        catalog = _Catalog(session, project_id, principal.user_id if principal else None)
        run = Run(project_id=project_id, selection={}, trigger=RunTrigger.import_, status=RunStatus.running,
                  triggered_by_user_id=principal.user_id if principal else None,
                  triggered_by_token_id=principal.token_id if principal else None,
                  branch=(branch or None) and branch[:255], commit_sha=(commit_sha or None) and commit_sha[:64],
                  started_at=started, finished_at=finished, duration_ms=duration, parallelism=1,
                  browsers=sorted({t.browser for t in report.tests}, key=[b.value for b in Browser].index))
        session.add(run)
        session.flush()
        seen: set[tuple[uuid.UUID, str]] = set()
        cases = [catalog.case_for(test) for test in report.tests]
        catalog.write_new()
        new_results: list[TestResult] = []
        new_steps: list[StepResult] = []
        for test, case in zip(report.tests, cases, strict=True):
            if (case.id, test.browser) in seen:  # the same test twice in one report: keep the first
                continue
            seen.add((case.id, test.browser))
            for number, (attempt, status) in enumerate(zip(test.attempts, _statuses(test.attempts), strict=True), 1):
                a_started = attempt.started_at or started
                failed_step = next((i for i, s in enumerate(attempt.steps) if s.status == FAILED), None)
                result = TestResult(run_id=run.id, test_case_id=case.id, test_name=test.name, browser=Browser(test.browser),
                                    attempt=number, status=status, failed_step=failed_step, error=attempt.error,
                                    queued_at=a_started, started_at=a_started, duration_ms=attempt.duration_ms,
                                    finished_at=a_started + timedelta(milliseconds=attempt.duration_ms or 0),
                                    definition=_definition(test, attempt, report.format), worker_id="import")
                new_results.append(result)
                for index, step in enumerate(attempt.steps):
                    new_steps.append(StepResult(test_result_id=result.id, step_index=index, action=IMPORTED_ACTION,
                                           name=step.title[:500], status=StepStatus(step.status),
                                           duration_ms=step.duration_ms, error=step.error))
                failed = attempt.status != PASSED
                for attachment in attempt.attachments:
                    source = None
                    if attachment.path is not None:
                        match = match_files(attachment.path, uploaded)
                        if match is None:
                            missing.append(attachment.path)
                            continue
                        used.add(match)
                        source = uploaded[match]
                    planned_artifacts.append(PlannedArtifact(
                        result.id, kind_for(attachment, failed), source, attachment.body,
                        PurePosixPath((attachment.path or attachment.name).replace("\\", "/")).name or "attachment",
                        attachment.content_type))
                if attempt.output:
                    planned_artifacts.append(PlannedArtifact(result.id, ArtifactKind.log, None,
                                                             attempt.output.encode(), "output.txt", "text/plain"))
        # No ORM relationship orders the inserts: the results first, then their steps.
        for rows in (new_results, new_steps):
            session.add_all(rows)
            session.flush()
        recount(session, run)
        run.status = final_run_status(run, close_analytics(session, run))
        if run.status == RunStatus.cancelled:
            run.status = RunStatus.passed  # an imported report of skipped tests only
        results = {r.id: r for r in session.exec(select(TestResult).where(TestResult.run_id == run.id)).all()}
        for planned in planned_artifacts:
            session.add(_upload(planned, run, results[planned.test_result_id], storage, uploaded_keys))
        audit.record(session, org_id=project.org_id, project_id=project_id, action="run.import", actor=principal,
                     object_type="run", object_id=str(run.id),
                     details={"format": report.format, "tests": len(seen), "artifacts": len(planned_artifacts)})
        session.flush()
        outcome = StoreOutcome(run_id=run.id, tests=len(seen), attempts=len(results), artifacts=len(planned_artifacts),
                               created_tests=catalog.created_tests, created_suites=catalog.created_suites,
                               format=report.format,
                               missing_attachments=sorted(set(missing)),
                               unused_attachments=sorted(set(uploaded) - used))
    return outcome


def _upload(planned: PlannedArtifact, run: Run, result: TestResult, storage: ArtifactStorage,
            uploaded_keys: list[str]) -> Artifact:
    artifact = Artifact(project_id=run.project_id, run_id=run.id, test_result_id=result.id, kind=planned.kind,
                        storage_key="", size_bytes=0, content_type="")
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in planned.name)[:120] or "attachment"
    key = f"{run.project_id}/{run.id}/{result.id}/{artifact.id.hex[-8:]}-{safe_name}"
    content_type = planned.content_type or content_type_for(Path(safe_name))
    if planned.source is not None:
        size = storage.put_file(key, planned.source, content_type)
    else:
        size = storage.put_bytes(key, planned.body or b"", content_type)
    uploaded_keys.append(key)
    finished = result.finished_at or utcnow()
    outcome = outcome_for(result.status)
    artifact.storage_key, artifact.size_bytes, artifact.content_type = key, size, content_type
    artifact.outcome, artifact.expires_at = outcome, expiry_for(planned.kind, outcome, finished)
    return artifact


def _delete_quietly(storage: ArtifactStorage, keys: list[str]) -> None:
    for key in keys:
        try:
            storage.delete(key)
        except StorageError:
            continue

