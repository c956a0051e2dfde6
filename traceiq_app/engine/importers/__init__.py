"""Load any supported test file as a native `TestDefinition`.

    .py            Playwright codegen script (sync API), parsed, never executed
    .json          Chrome DevTools Recorder flow (detected by shape), else a native test
    .yaml / .yml   native test

Every loader raises `DefinitionError` (importers: its subclass `FormatError`) listing all the
problems of the file, each prefixed with the file name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.model import TestDefinition

from .errors import FormatError
from .playwright_codegen import load_codegen, parse_codegen
from .recorder import from_recorder, is_recorder_flow

SUFFIXES = (".json", ".yaml", ".yml", ".py")

__all__ = [
    "SUFFIXES",
    "FormatError",
    "collect",
    "detect_format",
    "from_recorder",
    "is_recorder_flow",
    "load_any",
    "load_codegen",
    "parse_codegen",
]


def detect_format(path: str | Path) -> str:
    """"codegen", "recorder" or "native" (reads .json files to look at their shape)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".py":
        return "codegen"
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "native"  # the native loader reports the problem with a line number
        return "recorder" if is_recorder_flow(data) else "native"
    return "native"


def load_any(path: str | Path) -> TestDefinition:
    """Load one test file of any supported format. Raises DefinitionError."""
    from traceiq_app.engine.loader import load_test, load_test_data

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DefinitionError([f"{path.name}: unsupported file type (expected {', '.join(SUFFIXES)})"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([f"{path.name}: cannot read: {exc}"]) from None
    if suffix == ".py":
        return parse_codegen(text, name=path.stem, filename=path.name)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DefinitionError([f"{path.name}: line {exc.lineno}: invalid JSON: {exc.msg}"]) from None
        if is_recorder_flow(data):
            return from_recorder(data, source=path.name)
        return load_test_data(data, path.name)
    return load_test(path)


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders (recursively, sorted, hidden entries and node_modules skipped) into test
    files; explicit files are kept whatever their suffix (load_any then reports it). A missing
    path raises DefinitionError listing every missing one."""
    result: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path).parts
                if any(p.startswith((".", "__")) or p == "node_modules" for p in rel):
                    continue
                if found.is_file() and found.suffix.lower() in SUFFIXES and not _is_helper(found):
                    result.append(found)
        elif path.is_file():
            result.append(path)
        else:
            missing.append(f"{raw}: no such file or directory")
    if missing:
        raise DefinitionError(missing)
    seen: set[Path] = set()
    unique: list[Path] = []
    for p in result:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _is_helper(path: Path) -> bool:
    # Folders of codegen scripts often hold a conftest.py / __init__.py: not tests.
    return path.suffix == ".py" and (path.name in ("conftest.py", "__init__.py", "setup.py"))
