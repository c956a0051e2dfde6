"""Load native TraceIQ tests (.json / .yaml / .yml) with every problem reported at once.

    login.yaml: step 3 (click, line 14): target.0: a locator needs exactly one of css, ...

Step numbers in messages are 1-based (what a person counts in the file).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.model import FORMAT_VERSION, STEP_ACTIONS, TestDefinition

SUFFIXES = (".json", ".yaml", ".yml")


def load_test(path: str | Path) -> TestDefinition:
    """Read and validate one native test file; raises DefinitionError listing every problem."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise DefinitionError([f"{path.name}: not a native test file (expected {', '.join(SUFFIXES)})"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([f"{path.name}: cannot read: {exc}"]) from None
    return load_test_text(text, path.name)


def load_test_text(text: str, filename: str = "test.yaml") -> TestDefinition:
    """Validate a test held in memory (editor, DB). `filename` picks the parser and names errors."""
    data, lines = _parse(text, filename)
    return load_test_data(data, filename, step_lines=lines)


def load_test_data(data: Any, filename: str = "test", step_lines: list[int] | None = None) -> TestDefinition:
    if not isinstance(data, dict):
        raise DefinitionError([f"{filename}: the top level must be a mapping with version, name and steps"])
    _check_version(data, filename)
    try:
        return TestDefinition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(_describe(exc, data, filename, step_lines or [])) from None


def dump_test(test: TestDefinition, fmt: str = "yaml") -> str:
    """Serialize without defaults, so files stay short and readable. fmt: "yaml" or "json"."""
    data = test.model_dump(mode="json", exclude_defaults=True)
    data = {"version": FORMAT_VERSION, **data}
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _parse(text: str, filename: str) -> tuple[Any, list[int]]:
    if filename.lower().endswith(".json"):
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            raise DefinitionError([f"{filename}: line {exc.lineno}: invalid JSON: {exc.msg}"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError([f"{filename}: {where}invalid YAML: {problem}"]) from None
    return data, _yaml_step_lines(node)


def _yaml_step_lines(node: Any) -> list[int]:
    """1-based line of each step, from the YAML node tree, to point errors at the file."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "steps" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _check_version(data: dict[str, Any], filename: str) -> None:
    if "version" not in data:
        hint = ""
        if "title" in data and "steps" in data:
            hint = " (this looks like a Chrome Recorder export: import it instead)"
        raise DefinitionError([f"{filename}: missing 'version: {FORMAT_VERSION}'{hint}"])
    if data["version"] != FORMAT_VERSION:
        raise DefinitionError(
            [f"{filename}: unsupported version {data['version']!r} (this TraceIQ reads version {FORMAT_VERSION})"]
        )


def _describe(exc: ValidationError, data: dict[str, Any], filename: str, lines: list[int]) -> list[str]:
    problems: list[str] = []
    raw_steps = data.get("steps")
    steps: list[Any] = raw_steps if isinstance(raw_steps, list) else []
    for err in exc.errors():
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            index = loc[1]
            step = steps[index] if index < len(steps) else None
            action = step.get("action") if isinstance(step, dict) else None
            # For a discriminated union pydantic inserts the tag: steps.3.click.target -> target
            rest = loc[3:] if len(loc) > 2 and loc[2] == action else loc[2:]
            where = f"step {index + 1}"
            details = [str(action)] if action else []
            if index < len(lines):
                details.append(f"line {lines[index]}")
            if details:
                where += f" ({', '.join(details)})"
            message = _message(err, step)
        else:
            where, rest, message = "", loc, _message(err, None)
        field = ".".join(str(p) for p in rest)
        parts = [filename] + [p for p in (where, field) if p]
        problem = ": ".join(parts) + f": {message}"
        if problem not in problems:
            problems.append(problem)
    return problems


def _message(err: Any, step: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "union_tag_invalid" and isinstance(step, dict):
        action = str(step.get("action"))
        close = difflib.get_close_matches(action, STEP_ACTIONS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown action '{action}'{hint}"
    if kind == "union_tag_not_found":
        return "missing 'action'"
    if kind == "extra_forbidden":
        return "unknown field (typo?)"
    if kind == "missing":
        return "required field is missing"
    return msg.removeprefix("Value error, ")
