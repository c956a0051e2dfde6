"""Defect attachments in artifact storage (`defects/<project>/<defect>/<id>`): size-limited,
the content type decided from the bytes (not from the name or the browser's claim), and only
handed out by the permission-checked download route. Never under /_upload."""

from __future__ import annotations

import uuid

from sqlmodel import select

from traceiq_app.db import session_scope
from traceiq_app.models import DefectAttachment
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.defects import history
from traceiq_app.services.platform.storage import get_storage

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_DEFECT = 50
_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"),
    (b"\x1aE\xdf\xa3", "video/webm"),
]


def sniff(data: bytes) -> str | None:
    """The content type of `data` from its first bytes; None for anything we do not keep."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    head = data[:4096]
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return "text/plain"


def _safe_name(name: str) -> str:
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?')
    return cleaned.strip()[:200] or "file"


def add(project_id: uuid.UUID, defect_ref: str, user_id: uuid.UUID, filename: str, data: bytes) -> DefectAttachment:
    from traceiq_app.services.defects.defects import find

    if len(data) > MAX_BYTES:
        raise Invalid(f"{_safe_name(filename)}: larger than {MAX_BYTES // (1024 * 1024)} MB "
                      f"({len(data) / (1024 * 1024):.1f} MB).")
    if not data:
        raise Invalid(f"{_safe_name(filename)}: the file is empty.")
    kind = sniff(data)
    if kind is None:
        raise Invalid(f"{_safe_name(filename)}: not a file type defects keep (images, PDF, text, logs, zip, "
                      "webm/mp4 videos).")
    with session_scope() as session:
        defect = find(session, project_id, defect_ref)
        if len(session.exec(select(DefectAttachment.id).where(DefectAttachment.defect_id == defect.id)).all()) \
                >= MAX_PER_DEFECT:
            raise Invalid(f"A defect keeps at most {MAX_PER_DEFECT} attachments.")
        row = DefectAttachment(defect_id=defect.id, user_id=user_id, filename=_safe_name(filename),
                               content_type=kind, size=len(data), storage_key="")
        row.storage_key = f"defects/{project_id}/{defect.id}/{row.id}"
        get_storage().put_bytes(row.storage_key, data, kind)
        session.add(row)
        history.record(session, defect.id, user_id, "attachment", None, row.filename)
    return row


def get(project_id: uuid.UUID, defect_ref: str, attachment_id: str) -> tuple[DefectAttachment, bytes]:
    from traceiq_app.services.defects.defects import find

    with session_scope() as session:
        defect = find(session, project_id, defect_ref)
        try:
            row = session.get(DefectAttachment, uuid.UUID(str(attachment_id)))
        except ValueError:
            row = None
        if row is None or row.defect_id != defect.id:
            raise NotFound("attachment")
    return row, get_storage().get_bytes(row.storage_key)
