"""Import a test file: preview what was understood (and every step or line that was not)
BEFORE anything is saved, then save the understood steps as a new test case.

Formats: Chrome DevTools Recorder JSON, native JSON/YAML, Playwright codegen Python (parsed,
never executed). Files over `MAX_IMPORT_BYTES`, not UTF-8, empty or unparseable are refused
with a message saying why; nothing is saved unless at least one step was understood.

`save_import` re-parses the uploaded text on the server: what gets saved never comes from the
browser's copy of the preview.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml
from pydantic import ValidationError

from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.importers import FormatError, from_recorder, is_recorder_flow, parse_codegen
from traceiq_app.engine.model import FORMAT_VERSION
from traceiq_app.models import SourceFormat, TestCase
from traceiq_app.models.test_case import OPTION_KEYS
from traceiq_app.services.catalog import test_cases
from traceiq_app.services.catalog.projects import Invalid

__all__ = ["MAX_IMPORT_BYTES", "ImportPreview", "PreviewStep", "preview_import", "save_import"]

MAX_IMPORT_BYTES = 1_000_000
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".py": "python"}
FORMAT_LABELS = {
    SourceFormat.chrome_recorder.value: "Chrome Recorder flow",
    SourceFormat.native.value: "TraceIQ test (native format)",
    SourceFormat.playwright_codegen.value: "Playwright codegen script",
}


@dataclass(frozen=True)
class PreviewStep:
    index: int  # 0-based in the test that would be saved
    origin: str  # where it came from: "steps[3] (click)", "line 12", "step 4"
    action: str
    summary: str


@dataclass
class ImportPreview:
    filename: str
    format: str  # SourceFormat value
    name: str
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    understood: list[PreviewStep] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)  # one located message per problem

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    @property
    def can_save(self) -> bool:
        return bool(self.steps) and bool(self.name.strip())


def readable_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1000))} KB"


def size_problem(filename: str, size: int) -> str:
    """The refusal of a file over the limit, with its real size (the caller reads at most
    MAX_IMPORT_BYTES + 1 bytes: pass the size the upload declared)."""
    return f"{filename}: the file is {readable_size(size)}; imports are limited to {readable_size(MAX_IMPORT_BYTES)}"


def type_problem(filename: str) -> str:
    return f"{filename}: unsupported file type (expected .json, .yaml, .yml or .py)"


def _decode(filename: str, content: bytes | str) -> str:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if len(raw) > MAX_IMPORT_BYTES:
        raise Invalid(size_problem(filename, len(raw)))
    if not raw.strip():
        raise Invalid(f"{filename}: the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(f"{filename}: not a text file (expected UTF-8 JSON, YAML or Python)") from None


def split_definition(definition: Any) -> dict[str, Any]:
    """Column parts of an imported definition, without the defaults pydantic fills in (so the
    saved steps read like a hand-written file)."""
    data = definition.model_dump(mode="json", exclude_defaults=True)
    return {
        "name": data.get("name", ""), "description": data.get("description"), "tags": data.get("tags", []),
        "steps": data.get("steps", []), "options": {k: data[k] for k in OPTION_KEYS if k in data},
    }


def _strip_prefix(filename: str, problems: list[str]) -> list[str]:
    return [p.removeprefix(f"{filename}: ") for p in problems]


# ---- per format ------------------------------------------------------------------------------
_STEP_REF = re.compile(r"^steps\[(\d+)\]")


def _recorder(filename: str, data: dict[str, Any]) -> ImportPreview:
    """Convert the flow; steps the importer rejects are listed and left out (the rest is
    converted again without them, through the importer's public API)."""
    raw_steps: list[Any] = data["steps"] if isinstance(data.get("steps"), list) else []
    problems: list[str] = []
    keep = list(range(len(raw_steps)))
    definition = None
    for _attempt in range(3):
        try:
            definition = from_recorder({**data, "steps": [raw_steps[i] for i in keep]}, source=filename)
            break
        except FormatError as exc:
            bad: set[int] = set()
            for problem in _strip_prefix(filename, exc.problems):
                m = _STEP_REF.match(problem)
                if m and int(m.group(1)) < len(keep):
                    original = keep[int(m.group(1))]
                    bad.add(int(m.group(1)))
                    problems.append(_STEP_REF.sub(f"steps[{original}]", problem, count=1))
                else:
                    problems.append(problem)
            if not bad:
                break
            keep = [k for i, k in enumerate(keep) if i not in bad]
            if not keep:
                break
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    preview = ImportPreview(filename, SourceFormat.chrome_recorder.value, (title or "").strip() or PurePath(filename).stem)
    preview.not_understood = list(dict.fromkeys(problems))
    if definition is not None:
        parts = split_definition(definition)
        preview.description, preview.tags, preview.options = parts["description"], parts["tags"], parts["options"]
        preview.steps = parts["steps"]
        for i, step in enumerate(preview.steps):
            original = keep[i] if i < len(keep) else i
            rtype = raw_steps[original].get("type") if isinstance(raw_steps[original], dict) else "?"
            preview.understood.append(PreviewStep(i, f"steps[{original}] ({rtype})", str(step.get("action")),
                                                  test_cases.step_summary(step)))
    return preview


def _codegen(filename: str, text: str) -> ImportPreview:
    name = PurePath(filename).stem
    preview = ImportPreview(filename, SourceFormat.playwright_codegen.value, name)
    try:
        definition = parse_codegen(text, name=name, filename=filename)
    except FormatError as exc:
        preview.not_understood = _strip_prefix(filename, exc.problems)
        steps = _codegen_partial(text)
    else:
        parts = split_definition(definition)
        preview.description, preview.tags = parts["description"], parts["tags"]
        steps = parts["steps"]
    if steps is None:
        return preview
    _keep_valid(preview, steps, lambda s, i: f"line {s.get('source_line')}" if s.get("source_line") else f"step {i + 1}")
    if preview.description is None and preview.steps:
        preview.description, preview.tags = "Imported from a Playwright codegen script", ["codegen"]
    return preview


def _codegen_partial(text: str) -> list[dict[str, Any]] | None:
    """The steps of the lines the codegen importer did understand, when some lines were not.

    Uses the importer's parser object (the public `parse_codegen` is all-or-nothing); if that
    internal changes, the preview still lists every problem, just without the partial steps."""
    import ast

    from traceiq_app.engine.importers import playwright_codegen

    parser_cls = getattr(playwright_codegen, "_Parser", None)
    try:
        tree = ast.parse(text)
        parser = parser_cls() if parser_cls is not None else None
        if parser is None or not hasattr(parser, "parse_module"):
            return None
        parser.parse_module(tree)
        return [dict(s) for s in getattr(parser, "steps", [])]
    except Exception:  # noqa: BLE001 - a preview must not crash on an importer internal
        return None


def _keep_valid(preview: ImportPreview, steps: list[dict[str, Any]], origin: Any) -> None:
    """Validate steps one by one against the engine model; invalid ones go to not_understood."""
    problems = test_cases.validate_parts(preview.name or "import", steps, options=preview.options)
    bad_steps = {p.step for p in problems if p.step is not None}
    for p in problems:
        if p.step is not None:
            what = f" ({p.action})" if p.action else ""
            field_ = f"{p.field}: " if p.field else ""
            preview.not_understood.append(f"{origin(steps[p.step], p.step)}{what}: {field_}{p.message}")
        elif p.field not in ("steps",):
            preview.not_understood.append(str(p))
    for i, step in enumerate(steps):
        if i in bad_steps:
            continue
        preview.understood.append(PreviewStep(len(preview.steps), origin(step, i), str(step.get("action")),
                                              test_cases.step_summary(step)))
        preview.steps.append(step)


def _native(filename: str, data: Any) -> ImportPreview:
    preview = ImportPreview(filename, SourceFormat.native.value, PurePath(filename).stem)
    if not isinstance(data, dict):
        preview.not_understood.append("the top level must be a mapping with version, name and steps")
        return preview
    if "version" not in data:
        preview.not_understood.append(f"missing 'version: {FORMAT_VERSION}'")
    elif data["version"] != FORMAT_VERSION:
        preview.not_understood.append(
            f"unsupported version {data['version']!r} (this TraceIQ reads version {FORMAT_VERSION})")
        return preview
    unknown = sorted(set(data) - {"version", "name", "description", "tags", "steps", *OPTION_KEYS})
    if unknown:
        preview.not_understood.append(f"unknown top-level field(s): {', '.join(unknown)} (ignored)")
    if isinstance(data.get("name"), str) and data["name"].strip():
        preview.name = data["name"].strip()
    if isinstance(data.get("description"), str):
        preview.description = data["description"]
    if isinstance(data.get("tags"), list):
        preview.tags = [str(t) for t in data["tags"]]
    options = {k: data[k] for k in OPTION_KEYS if k in data}
    option_problems = [p for p in test_cases.validate_parts(preview.name, [{"action": "reload"}], options=options)]
    if option_problems:
        preview.not_understood.extend(str(p) for p in option_problems)
    else:
        preview.options = options
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        preview.not_understood.append("'steps' must be a non-empty list")
        return preview
    _keep_valid(preview, steps, lambda s, i: f"step {i + 1}")
    return preview


# ---- entry points --------------------------------------------------------------------------------
def preview_import(filename: str, content: bytes | str) -> ImportPreview:
    """What this file would become. Raises Invalid for a file that cannot be read at all."""
    filename = PurePath(filename or "upload").name[:200] or "upload"
    kind = SUFFIXES.get(PurePath(filename).suffix.lower())
    if kind is None:
        raise Invalid(type_problem(filename))
    text = _decode(filename, content)
    if kind == "python":
        return _codegen(filename, text)
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{filename}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
        if is_recorder_flow(data):
            return _recorder(filename, data)
        return _native(filename, data)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise Invalid(f"{filename}: {where}invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return _native(filename, data)


def save_import(project_id: uuid.UUID, filename: str, content: bytes | str, *,
                suite_id: uuid.UUID | str | None = None, name: str | None = None,
                author_id: uuid.UUID | None = None) -> TestCase:
    """Parse again and save the understood steps as a new test case (version 1)."""
    preview = preview_import(filename, content)
    if not preview.steps:
        why = preview.not_understood[:5]
        more = f" (and {len(preview.not_understood) - 5} more)" if len(preview.not_understood) > 5 else ""
        raise Invalid(f"{preview.filename}: no step could be imported, nothing was saved"
                      + (f": {'; '.join(why)}{more}" if why else ""))
    try:
        return test_cases.create_test_case(
            project_id, (name or "").strip() or preview.name, preview.steps, suite_id=suite_id,
            description=preview.description, tags=preview.tags, options=preview.options,
            source_format=preview.format, author_id=author_id,
        )
    except (ValidationError, DefinitionError) as exc:  # pragma: no cover - validated above
        raise Invalid(str(exc)) from None
