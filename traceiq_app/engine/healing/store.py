"""The fingerprint file of `traceiq exec --heal-store FILE`:
    {"version": 1, "tests": {"<test key>": {"<slot>": fingerprint, ...}}}
Written atomically (temp file + rename); a missing file is an empty store."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

VERSION = 1


class StoreError(Exception):
    """The file exists but is not a heal store (message names the file and the problem)."""


def load(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"--heal-store {path}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), dict):
        raise StoreError(f"--heal-store {path}: not a heal store (expected {{\"version\": 1, \"tests\": {{...}}}})")
    return {str(k): dict(v) for k, v in data["tests"].items() if isinstance(v, dict)}


def save(path: Path, tests: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".heal-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"version": VERSION, "tests": tests}, handle, indent=1, sort_keys=True)
    os.replace(tmp, path)
