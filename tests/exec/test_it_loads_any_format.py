"""`load_any` picks the format from the suffix and (for .json) the shape; `collect` expands folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.exec.conftest import DATA, RECORDER_FLOWS
from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.importers import collect, detect_format, load_any


def test_it_dispatches_on_suffix_and_shape(tmp_path: Path) -> None:
    native_json = tmp_path / "native.json"
    native_json.write_text(json.dumps({"version": 1, "name": "n", "steps": [{"action": "goto", "url": "https://e.test"}]}))
    assert detect_format(native_json) == "native" and load_any(native_json).name == "n"
    assert detect_format(RECORDER_FLOWS / "shadow_frames_popup.json") == "recorder"
    assert load_any(RECORDER_FLOWS / "shadow_frames_popup.json").tags == ["recorder"]
    assert detect_format(DATA / "codegen_site.py") == "codegen"
    assert load_any(DATA / "native_pass.yaml").name == "Native click"


def test_it_reports_bad_files_with_their_name(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    with pytest.raises(DefinitionError, match=r"broken.json: line 1: invalid JSON"):
        load_any(broken)
    other = tmp_path / "notes.txt"
    other.write_text("hi")
    with pytest.raises(DefinitionError, match="notes.txt: unsupported file type"):
        load_any(other)


def test_it_collects_folders_recursively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "node_modules").mkdir()
    for rel in ["b.yaml", "a.json", "sub/c.py", "sub/conftest.py", "sub/readme.md", ".hidden/x.json",
                "node_modules/y.json"]:
        (tmp_path / rel).write_text("")
    found = collect([tmp_path, tmp_path / "a.json"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.json", "b.yaml", "sub/c.py"]
    with pytest.raises(DefinitionError, match="missing.yaml: no such file or directory"):
        collect([tmp_path / "missing.yaml"])
