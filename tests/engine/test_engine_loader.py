"""Loading native files, located error messages, dumping, the JSON Schema and the docs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.loader import dump_test, load_test, load_test_data, load_test_text
from traceiq_app.engine.model import LOCATOR_KINDS, STEP_ACTIONS
from traceiq_app.engine.schema import SCHEMA_PATH, build_schema, render_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "test-format.md"

GOOD_YAML = """\
version: 1
name: login
base_url: http://example.com
steps:
  - action: goto
    url: /login
  - action: click
    target: [{css: "#a"}, {role: button, name: Go}]
"""


def test_it_loads_yaml_and_json_files(tmp_path):
    (tmp_path / "login.yaml").write_text(GOOD_YAML)
    test = load_test(tmp_path / "login.yaml")
    assert test.name == "login" and len(test.steps) == 2
    (tmp_path / "login.json").write_text(json.dumps(yaml.safe_load(GOOD_YAML)))
    assert load_test(tmp_path / "login.json") == test
    # A single locator is shorthand for a one-item list.
    assert load_test_text(GOOD_YAML.replace('[{css: "#a"}, {role: button, name: Go}]', '{css: "#a"}')).steps[1]


def test_it_lists_every_problem_with_file_step_action_and_line(tmp_path):
    path = tmp_path / "login.yaml"
    path.write_text(GOOD_YAML + """\
  - action: click
    target: {css: "#a", xpath: "//a"}
  - action: clik
    target: {css: x}
  - action: fill
    target: {css: "#u"}
    valeu: 3
  - target: {css: x}
""")
    with pytest.raises(DefinitionError) as info:
        load_test(path)
    assert info.value.problems == [
        "login.yaml: step 3 (click, line 9): target.0: a locator needs exactly one of css, xpath, text, role, "
        "label, placeholder, test_id, alt_text, title, aria; got ['css', 'xpath']",
        "login.yaml: step 4 (clik, line 11): unknown action 'clik' (did you mean 'click'?)",
        "login.yaml: step 5 (fill, line 13): value: required field is missing",
        "login.yaml: step 5 (fill, line 13): valeu: unknown field (typo?)",
        "login.yaml: step 6 (line 16): missing 'action'",
    ]
    assert str(info.value).count("\n") == 4


@pytest.mark.parametrize(("text", "filename", "problem"), [
    ("name: x\nsteps: []\n", "t.yaml", "t.yaml: missing 'version: 1'"),
    ('{"title": "x", "steps": []}', "rec.json", "rec.json: missing 'version: 1' (this looks like a Chrome Recorder"),
    ("version: 2\nname: x\n", "t.yaml", "t.yaml: unsupported version 2"),
    ("version: 1\nname: [\n", "t.yaml", "t.yaml: line 3: invalid YAML"),
    ('{"version": 1,', "t.json", "t.json: line 1: invalid JSON"),
    ("- 1\n", "t.yml", "t.yml: the top level must be a mapping"),
    ("version: 1\nname: x\nsteps: []\n", "t.yaml", "t.yaml: steps: List should have at least 1 item"),
    ("version: 1\nname: x\nsteps:\n  - action: wait_for\n", "t.yaml",
     "t.yaml: step 1 (wait_for, line 4): wait_for needs exactly one of target, url, load_state, expression, ms"),
    ("version: 1\nname: x\nsteps:\n  - {action: click, target: {text: a, name: b}}\n", "t.yaml",
     "'name' only refines a 'role' locator"),
])
def test_it_rejects_broken_files_readably(text, filename, problem):
    with pytest.raises(DefinitionError) as info:
        load_test_text(text, filename)
    assert any(p.startswith(problem) or problem in p for p in info.value.problems), info.value.problems


def test_it_rejects_other_file_types(tmp_path):
    with pytest.raises(DefinitionError, match="not a native test file"):
        load_test(tmp_path / "test.py")
    with pytest.raises(DefinitionError, match="cannot read"):
        load_test(tmp_path / "missing.yaml")


def test_it_dumps_what_it_loads():
    test = load_test_text(GOOD_YAML)
    for fmt, name in (("yaml", "t.yaml"), ("json", "t.json")):
        text = dump_test(test, fmt)
        assert text.startswith("version: 1" if fmt == "yaml" else '{\n  "version": 1')
        assert load_test_text(text, name) == test


def test_it_ships_the_schema_generated_from_the_model():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "stale schema: run python -m traceiq_app.engine.schema")


def _doc_examples() -> list[Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    return [yaml.safe_load(block) for block in blocks]


def test_it_documents_every_action_and_locator_kind_with_valid_examples():
    validator = jsonschema.Draft202012Validator(build_schema())
    actions: set[str] = set()
    text = DOCS.read_text(encoding="utf-8")
    for example in _doc_examples():
        data: dict[str, Any] = example if isinstance(example, dict) else {"version": 1, "name": "doc", "steps": example}
        load_test_data(data, "docs example")
        validator.validate(data)
        actions |= {step["action"] for step in data["steps"]}
    assert set(STEP_ACTIONS) <= actions, set(STEP_ACTIONS) - actions
    for kind in LOCATOR_KINDS:
        assert f"{{{kind}: " in text, kind


def test_it_rejects_invalid_files_in_the_schema_too():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "steps": [{"action": "goto", "url": "/"}]}, build_schema())


def test_it_exercises_every_action_in_the_engine_tests():
    # A new action must come with engine tests (passing and failing paths live next to these).
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_engine_*.py"))
    missing = [a for a in STEP_ACTIONS if f'"action": "{a}"' not in sources]
    assert missing == []
