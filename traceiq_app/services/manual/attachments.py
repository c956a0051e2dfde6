"""Attachments of manual test cases and of manual step results (pasted or uploaded screenshots,
logs). Kept in the artifact storage (`services/platform/storage.py`, local folder or S3) under
`manual/<project>/<owner>/<id>-<name>`, never under Reflex's public upload folder; served only by
`api/manual/attachments.py` after a permission check.

The size limit is TRACEIQ_MANUAL_ATTACHMENT_MAX_KB; the content type is decided by SNIFFING the
bytes (PNG, JPEG, GIF, WebP, PDF, UTF-8 text), never from the name or the browser's claim, and
anything else (SVG, HTML, executables...) is refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from sqlmodel import select

from traceiq_app.db import session_scope
from traceiq_app.models import ManualAttachment, ManualRun, ManualStepResult, TestCase
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.manual.lifecycle import ensure_open
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.platform.storage import get_storage
from traceiq_app.settings import get_settings

STEP_RESULT = "step_result"
TEST_CASE = "test_case"
ALLOWED = "PNG, JPEG, GIF or WebP images, PDF or plain text"
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
              "application/pdf": ".pdf", "text/plain": ".txt"}


def max_bytes() -> int:
    return get_settings().manual_attachment_max_kb * 1024


def sniff(data: bytes) -> str | None:
    """The content type of `data` from its first bytes (None: not a type we accept)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    head = data[:4096]
    if b"\x00" in head:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lowered = text[:1024].lstrip().lower()
    if lowered.startswith(("<", "{\\rtf")):  # HTML, SVG, XML: could run scripts when opened
        return None
    return "text/plain"


def check(filename: str, data: bytes) -> str:
    """The sniffed content type, or Invalid with a message a tester understands."""
    name = safe_name(filename)
    limit = max_bytes()
    if not data:
        raise Invalid(f"{name}: the file is empty")
    if len(data) > limit:
        raise Invalid(f"{name}: {len(data) // 1024} KB is larger than the limit of {limit // 1024} KB "
                      "for attachments (TRACEIQ_MANUAL_ATTACHMENT_MAX_KB)")
    content_type = sniff(data)
    if content_type is None:
        raise Invalid(f"{name}: this kind of file cannot be attached (allowed: {ALLOWED})")
    return content_type


def safe_name(filename: str) -> str:
    base = re.split(r"[\\/]", (filename or "").strip())[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .") or "attachment"
    return base[:120]


def _store(project_id: uuid.UUID, owner_kind: str, owner_id: uuid.UUID, filename: str, data: bytes,
           principal: Principal) -> ManualAttachment:
    content_type = check(filename, data)
    name = safe_name(filename)
    if "." not in name:
        name += EXTENSIONS[content_type]
    attachment_id = uuid.uuid4()
    key = f"manual/{project_id}/{owner_id}/{attachment_id.hex}-{name}"
    size = get_storage().put_bytes(key, data, content_type)
    row = ManualAttachment(id=attachment_id, project_id=project_id, owner_kind=owner_kind, owner_id=owner_id,
                           storage_key=key, filename=name, content_type=content_type, size_bytes=size,
                           uploaded_by=principal.user_id)
    with session_scope() as session:
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


def add_to_step(project_id: uuid.UUID, step_result_id: uuid.UUID | str, filename: str, data: bytes,
                principal: Principal) -> ManualAttachment:
    """Attach a file to a step result of a manual run of `project_id` (the caller authorized
    `manual_run.write` on it)."""
    from traceiq_app.services.manual import runs

    try:
        sid = uuid.UUID(str(step_result_id))
    except ValueError:
        raise NotFound("step") from None
    if runs.project_of_step_result(sid) != project_id:
        raise NotFound("step")
    with session_scope() as session:
        row = session.get(ManualStepResult, sid)
        assert row is not None
        run_id = row.run_id
        run = session.get(ManualRun, run_id)
        assert run is not None
        ensure_open(session, run)
    attachment = _store(project_id, STEP_RESULT, sid, filename, data, principal)
    runs.log_attachment(run_id, principal, sid, attachment.filename)
    return attachment


def add_to_test_case(project_id: uuid.UUID, test_id: uuid.UUID | str, filename: str, data: bytes,
                     principal: Principal) -> ManualAttachment:
    """Attach a file to a manual test case: a new version of the test (the attachment list is
    part of its definition). The caller authorized `test.write`."""
    from traceiq_app.services.catalog import manual_cases

    case = manual_cases.get_manual_case(project_id, test_id)
    attachment = _store(project_id, TEST_CASE, case.id, filename, data, principal)
    listed = [*((case.options or {}).get("attachments") or []),
              {"id": str(attachment.id), "filename": attachment.filename}]
    manual_cases.update_manual_case(project_id, case.id, name=case.name, steps=case.steps,
                                    description=case.description, preconditions=case.preconditions,
                                    tags=case.tags, attachments=listed, author_id=principal.user_id)
    return attachment


def get(attachment_id: uuid.UUID | str) -> ManualAttachment | None:
    try:
        aid = uuid.UUID(str(attachment_id))
    except ValueError:
        return None
    with session_scope() as session:
        return session.get(ManualAttachment, aid)


def read_action(attachment: ManualAttachment) -> str:
    """The permission a reader needs: test.read for a test's files, manual_run.read for a run's."""
    return "test.read" if attachment.owner_kind == TEST_CASE else "manual_run.read"


def open_stream(attachment: ManualAttachment) -> Iterator[bytes]:
    return get_storage().open_stream(attachment.storage_key)


def for_test_case(test_id: uuid.UUID) -> list[ManualAttachment]:
    with session_scope() as session:
        return list(session.exec(select(ManualAttachment).where(
            ManualAttachment.owner_kind == TEST_CASE, ManualAttachment.owner_id == test_id)).all())


def test_case_exists(project_id: uuid.UUID, test_id: uuid.UUID) -> bool:
    with session_scope() as session:
        case = session.get(TestCase, test_id)
        return case is not None and case.project_id == project_id
