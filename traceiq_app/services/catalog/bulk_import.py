"""Import many test files in one request, all or nothing (the public API and `traceiq import`).

Every file is parsed and validated first (`imports.preview_import`); a file counts as failed
when it cannot be read or when any of its steps/lines was not understood (CI imports must not
silently drop steps). Only when every file is clean are the tests saved; if saving one still
fails, the tests saved by this request are removed again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Suite, TestCase, TestCaseVersion
from traceiq_app.services.catalog import imports, suites, test_cases
from traceiq_app.services.catalog.projects import Invalid, NotFound

MAX_FILES = 200


@dataclass
class FileResult:
    file: str
    status: str  # "created" | "failed" | "not_saved" (valid, but another file failed)
    format: str = ""
    name: str = ""
    steps: int = 0
    test_id: str | None = None
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ImportRejected(Exception):
    def __init__(self, results: list[FileResult]) -> None:
        self.results = results
        bad = sum(1 for r in results if r.status == "failed")
        super().__init__(f"nothing was imported: {bad} of {len(results)} file(s) have problems")
        self.message = str(self)


def resolve_suite(project_id: uuid.UUID, ref: str | None) -> uuid.UUID | None:
    """A live suite of the project by id or exact name; a name that no suite has is created
    at the top level. None/"" = the top level."""
    ref = (ref or "").strip()
    if not ref:
        return None
    try:
        sid = uuid.UUID(ref)
    except ValueError:
        sid = None
    with session_scope() as session:
        if sid is not None:
            return suites.visible_suite(session, project_id, sid).id
        found = session.exec(select(Suite.id).where(Suite.project_id == project_id, Suite.name == ref,
                                                    col(Suite.deleted_at).is_(None))).first()
    if found is not None:
        return found
    return suites.create_suite(project_id, ref).id


def import_files(project_id: uuid.UUID, files: list[tuple[str, bytes]], *, suite: str | None = None,
                 author_id: uuid.UUID | None = None) -> list[FileResult]:
    if not files:
        raise Invalid("files: upload at least one file")
    if len(files) > MAX_FILES:
        raise Invalid(f"files: at most {MAX_FILES} files per request")
    results: list[FileResult] = []
    previews: list[imports.ImportPreview | None] = []
    for filename, content in files:
        result = FileResult(file=(filename or "upload")[:300], status="not_saved")
        preview: imports.ImportPreview | None = None
        try:
            preview = imports.preview_import(filename, content)
        except Invalid as exc:
            short = PurePath(filename or "upload").name
            result.status, result.problems = "failed", [p.removeprefix(f"{short}: ") for p in exc.problems]
        else:
            result.format, result.name, result.steps = preview.format, preview.name, len(preview.steps)
            result.problems = list(preview.not_understood)
            if preview.not_understood or not preview.can_save:
                result.status = "failed"
                if not preview.steps and not result.problems:
                    result.problems = ["no step could be imported"]
        results.append(result)
        previews.append(preview)
    if any(r.status == "failed" for r in results):
        raise ImportRejected(results)
    try:
        suite_id = resolve_suite(project_id, suite)
    except NotFound:
        raise Invalid("suite: no such suite in this project") from None
    created: list[uuid.UUID] = []
    try:
        for result, preview in zip(results, previews, strict=True):
            assert preview is not None
            case = test_cases.create_test_case(
                project_id, preview.name, preview.steps, suite_id=suite_id, description=preview.description,
                tags=preview.tags, options=preview.options, source_format=preview.format, author_id=author_id)
            created.append(case.id)
            result.status, result.test_id = "created", str(case.id)
    except Invalid as exc:
        _remove(created)
        failed = next(r for r in results if r.status == "not_saved")
        failed.status, failed.problems = "failed", list(exc.problems)
        for r in results:
            if r.status == "created":
                r.status, r.test_id = "not_saved", None
        raise ImportRejected(results) from None
    return results


def _remove(ids: list[uuid.UUID]) -> None:
    if not ids:
        return
    with session_scope() as session:
        for version in session.exec(select(TestCaseVersion).where(col(TestCaseVersion.test_case_id).in_(ids))).all():
            session.delete(version)
        session.flush()
        for case in session.exec(select(TestCase).where(col(TestCase.id).in_(ids))).all():
            session.delete(case)
