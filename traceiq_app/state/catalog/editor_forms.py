"""The test editor's form model: native steps <-> typed form views, derived from the engine's
own step models (`traceiq_app.engine.model`), so every one of the step actions gets a form
with the right input per field (text, number, switch, choice, list, JSON, locator editor)
without a hand-written table that could drift from the engine.

Pure Python (no database, no Reflex): `EditorState` keeps a list of `StepView`s, edits them
through the functions here and runs `validate_views` after every change, which puts each
problem next to the field (or locator alternative) it belongs to.
"""

from __future__ import annotations

import dataclasses
import json
import types
import uuid
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from traceiq_app.engine import model as engine_model
from traceiq_app.engine.model import LOCATOR_KINDS, STEP_ACTIONS, Locator
from traceiq_app.services.catalog.test_cases import Problem, step_summary, validate_parts

NONE_CHOICE = "(none)"
# Kept on the step but not edited in the form (imports set them): shown as "Advanced (JSON)".
ADVANCED_KEYS = ("page", "expect_navigation", "source_line")
COMMON_KEYS = ("name", "timeout_ms", "continue_on_failure")
# Required text fields where an empty string is a meaningful value.
EMPTY_OK = ("value", "expected")
LABELS = {
    "url": "URL", "timeout_ms": "Timeout (ms)", "delay_ms": "Delay between keys (ms)", "ms": "Wait (ms)",
    "continue_on_failure": "Continue on failure", "name": "Step name", "wait_until": "Wait until",
    "full_page": "Full page", "prompt_text": "Prompt text", "load_state": "Load state",
    "expression": "JS expression", "script": "JS script", "x": "X", "y": "Y",
    "hold_ms": "Hold button (ms)", "negate": "Until the condition is false",
}
PLACEHOLDERS = {
    "url": "/login or https://…", "key": "Enter, Control+A, Shift+ArrowDown", "expected": "Expected text",
    "value": "Text to type into the field", "variable": "NAME", "files": "one path per line",
    "values": "one value per line", "labels": "one label per line", "modifiers": "Alt, Control, Meta, Shift",
    "position": '{"x": 5, "y": 5}', "offset": '{"x": 5, "y": 5} (from the border box)', "properties": '{"checked": true}', "attributes": '{"aria-busy": "false"}',
    "timeout_ms": "default", "name": "Describe the step (optional)",
}
TEXTAREA_KEYS = ("script", "expression")
LOCATOR_LABELS = {
    "css": "CSS selector", "xpath": "XPath", "text": "text", "role": "role", "label": "label",
    "placeholder": "placeholder", "test_id": "test id", "alt_text": "alt text", "title": "title",
    "aria": "accessible name",
}
LOCATOR_PLACEHOLDERS = {
    "css": "#submit, .btn-primary", "xpath": "//button[1]", "text": "Visible text", "role": "button, link, textbox",
    "label": "Label text", "placeholder": "Placeholder text", "test_id": "data-testid value",
    "alt_text": "Image alt text", "title": "Title attribute", "aria": 'Name or Name[role="button"]',
}


# ---- views (what the page renders) -------------------------------------------------------------
@dataclasses.dataclass
class FieldView:
    key: str = ""
    label: str = ""
    kind: str = "text"  # text | textarea | number | bool | select | lines | json
    value: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    required: bool = False
    placeholder: str = ""
    error: str = ""


@dataclasses.dataclass
class AltView:
    kind: str = "css"
    value: str = ""
    name: str = ""  # accessible name, for role locators
    extra: str = ""  # JSON of the other locator options (exact, has_text, nth, frame, within...)
    placeholder: str = ""
    error: str = ""
    # Identity of this alternative in the page (its inputs' React key): the inputs are uncontrolled
    # (typing never waits for the server), so a reordered or replaced alternative must remount.
    uid: str = dataclasses.field(default_factory=lambda: new_uid())


@dataclasses.dataclass
class TargetView:
    key: str = "target"
    label: str = "Element"
    required: bool = True
    alternatives: list[AltView] = dataclasses.field(default_factory=list)
    error: str = ""


@dataclasses.dataclass
class StepView:
    uid: str = ""
    action: str = "goto"
    summary: str = ""
    fields: list[FieldView] = dataclasses.field(default_factory=list)
    targets: list[TargetView] = dataclasses.field(default_factory=list)
    advanced: str = ""  # JSON of ADVANCED_KEYS present on the step
    error: str = ""
    problems: int = 0


# ---- the schema, from the engine's models --------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: str
    options: tuple[str, ...]
    required: bool
    default: Any


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    action: str
    fields: tuple[FieldSpec, ...]
    targets: tuple[tuple[str, bool], ...]  # (key, required)
    doc: str


def _unwrap(tp: Any) -> tuple[Any, bool]:
    """(inner type, optional) with Annotated and `| None` removed."""
    optional = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(get_args(tp))
            if len(args) == 1:
                tp = args[0]
                continue
        return tp, optional


def _field_kind(key: str, tp: Any) -> tuple[str, tuple[str, ...], bool]:
    inner, optional = _unwrap(tp)
    origin = get_origin(inner)
    if inner is bool:
        return "bool", (), optional
    if inner in (int, float):
        return "number", (), optional
    if origin is Literal:
        return "select", tuple(str(a) for a in get_args(inner)), optional
    if inner is str:
        return ("textarea" if key in TEXTAREA_KEYS else "text"), (), optional
    if origin is list:
        item, _ = _unwrap(get_args(inner)[0])
        if item is Locator:
            return "target", (), optional
        if get_origin(item) is Literal:
            return "lines", tuple(str(a) for a in get_args(item)), optional
        return "lines", (), optional
    return "json", (), optional


@cache
def action_specs() -> dict[str, ActionSpec]:
    union = get_args(engine_model.Step)[0]
    specs: dict[str, ActionSpec] = {}
    for cls in get_args(union):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        action = str(get_args(cls.model_fields["action"].annotation)[0])
        fields: list[FieldSpec] = []
        targets: list[tuple[str, bool]] = []
        for key, info in cls.model_fields.items():
            if key == "action" or key in ADVANCED_KEYS:
                continue
            kind, options, optional = _field_kind(key, info.annotation)
            required = info.is_required()
            if kind == "target":
                targets.append((key, required))
                continue
            default = None if required else info.get_default(call_default_factory=True)
            fields.append(FieldSpec(key, kind, options, required, default))
        own = [f for f in fields if f.key not in COMMON_KEYS]
        common = [f for f in fields if f.key in COMMON_KEYS]
        specs[action] = ActionSpec(action, tuple(own + common), tuple(targets), (cls.__doc__ or "").strip())
    missing = set(STEP_ACTIONS) - set(specs)
    if missing:  # pragma: no cover - guards against the engine adding a step type we cannot see
        raise RuntimeError(f"no form for step action(s): {sorted(missing)}")
    return specs


def actions() -> list[str]:
    return list(STEP_ACTIONS)


# ---- step dict -> view ------------------------------------------------------------------------------
def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _to_text(spec: FieldSpec, value: Any) -> str:
    if value is None:
        value = spec.default
    if spec.kind == "bool":
        return "true" if value else "false"
    if spec.kind == "select":
        return NONE_CHOICE if value is None else str(value)
    if value is None:
        return ""
    if spec.kind == "number":
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if spec.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if spec.kind == "json":
        return "" if value in ({}, []) else json.dumps(value, ensure_ascii=False)
    return str(value)


def _alt_view(loc: Any) -> AltView:
    if not isinstance(loc, dict):
        return AltView(error="not a locator")
    kinds = [k for k in LOCATOR_KINDS if k in loc]
    kind = kinds[0] if kinds else "css"
    rest = {k: v for k, v in loc.items() if k not in (kind, "name") or (k == "name" and kind != "role")}
    if len(kinds) > 1:  # keep the second kind visible (it is an error the validator reports)
        rest = {k: v for k, v in loc.items() if k not in (kind,)}
    value = loc.get(kind)
    return AltView(kind=kind, value="" if value is None else str(value),
                   name=str(loc.get("name") or "") if kind == "role" else "",
                   extra=json.dumps(rest, ensure_ascii=False) if rest else "",
                   placeholder=LOCATOR_PLACEHOLDERS.get(kind, ""))


def new_uid() -> str:
    return uuid.uuid4().hex[:10]


def step_to_view(step: dict[str, Any], uid: str | None = None) -> StepView:
    action = str(step.get("action") or "")
    specs = action_specs()
    spec = specs.get(action)
    view = StepView(uid=uid or new_uid(), action=action, summary=step_summary(step))
    if spec is None:
        view.error = f"unknown action '{action}'"
        view.advanced = json.dumps({k: v for k, v in step.items() if k != "action"}, ensure_ascii=False)
        return view
    for f in spec.fields:
        view.fields.append(FieldView(
            key=f.key, label=_label(f.key), kind=f.kind, value=_to_text(f, step.get(f.key)),
            options=([NONE_CHOICE] if f.kind == "select" and (f.default is None and not f.required) else [])
            + list(f.options) if f.kind == "select" else list(f.options),
            required=f.required, placeholder=PLACEHOLDERS.get(f.key, ""),
        ))
    for key, required in spec.targets:
        raw = step.get(key)
        alts = [raw] if isinstance(raw, dict) else list(raw or [])
        view.targets.append(TargetView(
            key=key, label="Element" if key == "target" else ("Drag from" if key == "source" else _label(key)),
            required=required, alternatives=[_alt_view(a) for a in alts],
        ))
        if key == "target" and action == "drag_and_drop":
            view.targets[-1].label = "Drop on"
    known = {"action", *(f.key for f in spec.fields), *(k for k, _ in spec.targets)}
    advanced = {k: v for k, v in step.items() if k not in known}
    view.advanced = json.dumps(advanced, ensure_ascii=False) if advanced else ""
    return view


def new_step(action: str) -> dict[str, Any]:
    """A fresh step of this action: required locator fields start with one empty alternative."""
    spec = action_specs()[action]
    step: dict[str, Any] = {"action": action}
    for key, required in spec.targets:
        if required:
            step[key] = [{"css": ""}]
    return step


# ---- view -> step dict ---------------------------------------------------------------------------------
def _parse_field(spec: FieldSpec, text: str) -> tuple[Any, str]:
    """(value or _OMIT, error)."""
    text = text if isinstance(text, str) else str(text)
    if spec.kind == "bool":
        return (text == "true"), ""
    if spec.kind == "select":
        return (_OMIT if text in (NONE_CHOICE, "") else text), ""
    if spec.kind == "number":
        if not text.strip():
            return _OMIT, ""
        try:
            number = float(text.strip())
        except ValueError:
            return _OMIT, "enter a number"
        return (int(number) if number.is_integer() else number), ""
    if spec.kind == "lines":
        items = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()] \
            if spec.key == "modifiers" else [line.strip() for line in text.splitlines() if line.strip()]
        return (items if items else _OMIT), ""
    if spec.kind == "json":
        if not text.strip():
            return _OMIT, ""
        try:
            return json.loads(text), ""
        except ValueError as exc:
            return _OMIT, f"not valid JSON: {exc}"
    if text == "" and not (spec.required and spec.key in EMPTY_OK):
        return _OMIT, ""
    return text, ""


class _Omit:
    pass


_OMIT: Any = _Omit()


def _parse_alt(alt: AltView) -> tuple[dict[str, Any], str]:
    loc: dict[str, Any] = {}
    error = ""
    if alt.extra.strip():
        try:
            extra = json.loads(alt.extra)
            if not isinstance(extra, dict):
                raise ValueError("must be a JSON object")
            loc.update(extra)
        except ValueError as exc:
            error = f"options: not valid JSON ({exc})"
    if alt.value.strip() == "":
        error = error or f"enter a {LOCATOR_LABELS.get(alt.kind, alt.kind)} to find the element"
    else:
        loc[alt.kind] = alt.value
    if alt.kind == "role" and alt.name.strip():
        loc["name"] = alt.name
    return loc, error


def view_to_step(view: StepView) -> tuple[dict[str, Any], dict[str, str]]:
    """(step dict, {field path: local parse error}). Defaults are left out (compact steps)."""
    spec = action_specs().get(view.action)
    errors: dict[str, str] = {}
    step: dict[str, Any] = {"action": view.action}
    if view.advanced.strip():
        try:
            advanced = json.loads(view.advanced)
            if isinstance(advanced, dict):
                step.update({k: v for k, v in advanced.items() if k != "action"})
            else:
                errors["advanced"] = "must be a JSON object"
        except ValueError as exc:
            errors["advanced"] = f"not valid JSON: {exc}"
    if spec is None:
        return step, errors
    by_key = {f.key: f for f in spec.fields}
    for fv in view.fields:
        fspec = by_key.get(fv.key)
        if fspec is None:
            continue
        value, error = _parse_field(fspec, fv.value)
        if error:
            errors[fv.key] = error
        elif value is not _OMIT and not (value == fspec.default and not fspec.required):
            step[fv.key] = value
    for tv in view.targets:
        alts = []
        for j, alt in enumerate(tv.alternatives):
            loc, error = _parse_alt(alt)
            if error:
                errors[f"{tv.key}.{j}"] = error
            alts.append(loc)
        if alts:
            step[tv.key] = alts
    return step, errors


def views_to_steps(views: list[StepView]) -> list[dict[str, Any]]:
    return [view_to_step(v)[0] for v in views]


def validate_views(views: list[StepView], name: str, *, description: str | None = None,
                   tags: list[str] | None = None, options: dict[str, Any] | None = None) -> list[Problem]:
    """Convert, validate with the engine model, and write every error into the views.
    Returns the test-level problems plus every step problem (empty: ready to save)."""
    steps: list[dict[str, Any]] = []
    local: list[dict[str, str]] = []
    for view in views:
        step, errors = view_to_step(view)
        steps.append(step)
        local.append(errors)
    problems = validate_parts(name, steps, description=description, tags=tags, options=options)
    by_step: dict[int, list[Problem]] = {}
    for p in problems:
        if p.step is not None:
            by_step.setdefault(p.step, []).append(p)
    all_problems = [p for p in problems if p.step is None]
    for i, view in enumerate(views):
        errors = dict(local[i])
        step_errors: list[str] = []
        for p in by_step.get(i, []):
            path = p.field.split(".") if p.field else []
            key = path[0] if path else ""
            target_keys = {t.key for t in view.targets}
            if key in target_keys and len(path) >= 2 and path[1].isdigit():
                errors.setdefault(f"{key}.{path[1]}", p.message if len(path) == 2 else f"{'.'.join(path[2:])}: {p.message}")
            elif key and (key in target_keys or any(f.key == key for f in view.fields)):
                errors.setdefault(key, p.message if len(path) == 1 else f"{'.'.join(path[1:])}: {p.message}")
            else:
                step_errors.append(f"{p.field}: {p.message}" if p.field else p.message)
        for fv in view.fields:
            fv.error = errors.get(fv.key, "")
        for tv in view.targets:
            tv.error = errors.get(tv.key, "")
            for j, alt in enumerate(tv.alternatives):
                alt.error = errors.get(f"{tv.key}.{j}", "")
                alt.placeholder = LOCATOR_PLACEHOLDERS.get(alt.kind, "")
        if "advanced" in errors:
            step_errors.append(f"advanced: {errors['advanced']}")
        view.error = "; ".join(step_errors)
        view.problems = len(errors) + len(step_errors) - (1 if "advanced" in errors else 0)
        view.summary = step_summary(steps[i])
        for key, message in errors.items():
            all_problems.append(Problem(i, key, message, view.action))
        all_problems.extend(Problem(i, "", m, view.action) for m in step_errors if not m.startswith("advanced"))
    return all_problems


def change_action(view: StepView, action: str) -> StepView:
    """The same step as another action, keeping what still applies (locators, name, timeout)."""
    old, _ = view_to_step(view)
    spec = action_specs()[action]
    keep = {f.key for f in spec.fields} | {k for k, _ in spec.targets} | set(ADVANCED_KEYS)
    fresh = new_step(action)
    fresh.update({k: v for k, v in old.items() if k in keep and k != "action"})
    return step_to_view(fresh, view.uid)


def hide_errors(view: StepView) -> None:
    """Blank a step's error texts (a step nobody touched yet shows no problems)."""
    for fv in view.fields:
        fv.error = ""
    for tv in view.targets:
        tv.error = ""
        for alt in tv.alternatives:
            alt.error = ""
    view.error, view.problems = "", 0
