"""The dry run's screenshots of an AI draft test, kept for the person who reviews the draft.

The generation job dry-runs the steps with a screenshot after every step (engine
`screenshot_every_step`; a failing step gets its failure screenshot). When the draft is saved,
each screenshot goes to the artifact store under `drafts/<test id>/step-NN.png` with a manifest
`drafts/<test id>/dry-run.json` ({"status", "steps": [{"step", "action", "status", "error",
"image"}]}). The editor shows them (state/ai/draft_review.py) through the authorized route
`GET /api/v1/tests/{id}/dry-run/{step}.png` (api/ai/v1_drafts.py, test.read)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from traceiq_app.services.platform.storage import StorageError, get_storage

MANIFEST = "dry-run.json"


def _prefix(test_id: uuid.UUID | str) -> str:
    return f"drafts/{uuid.UUID(str(test_id))}/"


def image_key(test_id: uuid.UUID | str, step: int) -> str:
    return f"{_prefix(test_id)}step-{step + 1:02d}.png"


def keep(test_id: uuid.UUID | str, status: str, steps: list[dict[str, Any]]) -> int:
    """Store the screenshots of a dry run (`steps`: {"step", "action", "status", "error",
    "screenshot": local path or None}) and the manifest; returns how many images were kept."""
    storage = get_storage()
    rows, kept = [], 0
    for item in steps:
        path = item.get("screenshot")
        image = bool(path) and Path(str(path)).is_file()
        if image:
            storage.put_file(image_key(test_id, int(item["step"])), Path(str(path)), "image/png")
            kept += 1
        rows.append({"step": int(item["step"]), "action": str(item.get("action") or ""),
                     "status": str(item.get("status") or ""), "error": str(item.get("error") or "")[:2000],
                     "image": image})
    manifest = json.dumps({"status": status, "steps": rows}, ensure_ascii=False).encode()
    storage.put_bytes(_prefix(test_id) + MANIFEST, manifest, "application/json")
    return kept


def manifest(test_id: uuid.UUID | str) -> dict[str, Any] | None:
    """The dry run kept for this draft, or None (not an AI draft, or generated before this existed)."""
    try:
        data = json.loads(get_storage().get_bytes(_prefix(test_id) + MANIFEST))
    except (StorageError, FileNotFoundError, ValueError, OSError):
        return None
    return data if isinstance(data, dict) else None


def image(test_id: uuid.UUID | str, step: int) -> bytes | None:
    try:
        return get_storage().get_bytes(image_key(test_id, step))
    except (StorageError, FileNotFoundError, OSError):
        return None
