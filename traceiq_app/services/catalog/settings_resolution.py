"""Effective execution settings of a test, and where each value comes from.

Precedence (highest first), the same as `services.runs.control.effective_settings` +
`resolved_definition` use when a run starts:

    the test's own options > its suite > parent suites (inner before outer) > the project
    > the environment (base_url, variables) > built-in defaults

Dicts (headers, variables) merge key by key, so each key has its own source. The test page
shows every row: setting, value, source ("test", "suite Checkout", "project", "environment
staging", "default").
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, ExecutionSettings, TestCase
from traceiq_app.services.catalog.environments import environment_layer
from traceiq_app.services.catalog.projects import NotFound, _live_project
from traceiq_app.services.catalog.suites import suite_chain

__all__ = ["EffectiveSetting", "effective_settings_for_test", "resolve_layers"]

# Test-level options (TestDefinition fields) that map onto ExecutionSettings fields.
TEST_OPTION_TO_SETTING = {
    "base_url": "base_url",
    "timeout_ms": "test_timeout_ms",
    "step_timeout_ms": "step_timeout_ms",
    "viewport": "viewport",
    "headers": "headers",
    "variables": "variables",
}
DEFAULTS: dict[str, Any] = {
    "test_timeout_ms": 30_000,
    "viewport": {"width": 1280, "height": 720},
    "browsers": ["chromium"],
}
MERGED = ("headers", "variables")
ORDER = list(ExecutionSettings.model_fields)


@dataclass(frozen=True)
class EffectiveSetting:
    setting: str  # "base_url", or "variables.USER" for one key of a dict setting
    value: str  # display form (JSON for structures)
    source: str  # "test", "suite Checkout", "project", "environment staging", "default"
    overridden: tuple[str, ...] = ()  # lower layers that also set it (what was overridden)


def _display(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def resolve_layers(layers: list[tuple[str, dict[str, Any] | None]]) -> list[EffectiveSetting]:
    """Layers lowest first: [(source label, settings dict)]. One row per setting (and per key of
    headers/variables) that has a value, in ExecutionSettings field order, with its source."""
    winners: dict[str, tuple[Any, str, list[str]]] = {}
    for label, data in layers:
        if not data:
            continue
        parsed = ExecutionSettings.model_validate(data).model_dump(mode="json", exclude_none=True)
        for key, value in parsed.items():
            if key in MERGED and isinstance(value, dict):
                for sub, sub_value in value.items():
                    name = f"{key}.{sub}"
                    below = winners.get(name)
                    winners[name] = (sub_value, label, [*(below[2] if below else []), *([below[1]] if below else [])])
            else:
                below = winners.get(key)
                winners[key] = (value, label, [*(below[2] if below else []), *([below[1]] if below else [])])
    for key, value in DEFAULTS.items():
        if key not in winners:
            winners[key] = (value, "default", [])

    def sort_key(name: str) -> tuple[int, str]:
        base = name.split(".", 1)[0]
        return (ORDER.index(base) if base in ORDER else len(ORDER), name)

    return [EffectiveSetting(name, _display(v), src, tuple(reversed(over)))
            for name, (v, src, over) in sorted(winners.items(), key=lambda kv: sort_key(kv[0]))]


def options_layer(options: dict[str, Any] | None) -> dict[str, Any] | None:
    layer = {TEST_OPTION_TO_SETTING[k]: v for k, v in (options or {}).items()
             if k in TEST_OPTION_TO_SETTING and v not in (None, {}, [])}
    return layer or None


def _layers(session: Session, project_id: uuid.UUID, suite_id: uuid.UUID | None,
            options: dict[str, Any] | None, environment_id: uuid.UUID | str | None) -> list[tuple[str, dict[str, Any] | None]]:
    project = _live_project(session, project_id)
    env: Environment | None = None
    if environment_id:
        try:
            env = session.get(Environment, uuid.UUID(str(environment_id)))
        except ValueError:
            env = None
        if env is None or env.project_id != project_id:
            raise NotFound("environment")
    layers: list[tuple[str, dict[str, Any] | None]] = []
    if env is not None:
        layers.append((f"environment {env.name}", environment_layer(env)))
    layers.append(("project", project.settings or {}))
    for suite in suite_chain(session, project_id, suite_id):
        layers.append((f"suite {suite.name}", suite.settings or {}))
    layers.append(("test", options_layer(options)))
    return layers


def effective_settings_for_test(project_id: uuid.UUID, test_id: uuid.UUID | str | None, *,
                                suite_id: uuid.UUID | str | None = None,
                                options: dict[str, Any] | None = None,
                                environment_id: uuid.UUID | str | None = None) -> list[EffectiveSetting]:
    """For a saved test (`test_id`), or for an unsaved one being edited (`suite_id` + `options`)."""
    with session_scope() as session:
        if test_id:
            try:
                case = session.get(TestCase, uuid.UUID(str(test_id)))
            except ValueError:
                case = None
            if case is None or case.project_id != project_id or case.deleted_at is not None:
                raise NotFound("test")
            sid = case.suite_id
            opts = case.options if options is None else options
        else:
            sid = uuid.UUID(str(suite_id)) if suite_id else None
            opts = options or {}
        return resolve_layers(_layers(session, project_id, sid, opts, environment_id))
