"""The folder layout of tests as code, and its byte-stable YAML.

    _environments.yaml          environments (names of secrets only, never values)
    checkout/_suite.yaml        a folder = a suite: {id, name, settings?}
    checkout/pay-by-card.yaml   a test: {id, name, description?, priority, tags, options?, steps}
    checkout/refund.yaml        a manual test: {id, name, kind: manual, description?, preconditions?,
                                priority, tags, steps: [{action, data, expected}]}
    smoke-home.yaml             a test outside any folder

Folder and file names come from the suite/test names (lowercase, `-`), numbered `-2`, `-3` when
two siblings would get the same name (in (position, name, id) order, so stable). File names do
not matter on push: the `id` field does (a renamed test is an update, not delete + create).

Rendering is deterministic: fixed key order for tests, suites and environments; inside steps
`action` first, then `name`, then the other keys sorted; nested mappings sorted; multi-line
strings as `|` blocks. Rendering what reading gives back yields the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

SUITE_FILE = "_suite.yaml"
ENVIRONMENTS_FILE = "_environments.yaml"
TEST_KEYS = ("id", "name", "kind", "description", "preconditions", "priority", "tags", "options", "steps")
MANUAL = "manual"
SUITE_KEYS = ("id", "name", "settings")
ENV_KEYS = ("id", "name", "base_url", "variables", "secrets")
STEP_FIRST = ("action", "name")


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return value or "untitled"


def unique_names(items: list[tuple[Any, str]], taken: set[str] | None = None) -> dict[Any, str]:
    """key -> a name from `slug(text)`, unique among these (and `taken`), in the given order."""
    used = set(taken or ())
    out: dict[Any, str] = {}
    for key, text in items:
        base = slug(text)
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        out[key] = name
    return out


def _canonical(value: Any, *, step: bool = False) -> Any:
    if isinstance(value, dict):
        first = [k for k in STEP_FIRST if k in value] if step else []
        rest = sorted((k for k in value if k not in first), key=str)
        return {k: _canonical(value[k]) for k in [*first, *rest]}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def canonical_steps(steps: list[Any]) -> list[Any]:
    return [_canonical(s, step=True) if isinstance(s, dict) else _canonical(s) for s in steps]


# libyaml's emitter when the installed PyYAML has it (the same bytes, ~10x faster).
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=4096, indent=2)


def test_document(case: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": case["id"], "name": case["name"]}
    if case.get("kind") == MANUAL:  # automated tests omit it (their files stay as they were)
        doc["kind"] = MANUAL
    if case.get("description"):
        doc["description"] = case["description"]
    if case.get("kind") == MANUAL and case.get("preconditions"):
        doc["preconditions"] = case["preconditions"]
    doc["priority"] = case["priority"]
    doc["tags"] = list(case.get("tags") or [])
    if case.get("options"):
        doc["options"] = _canonical(case["options"])
    doc["steps"] = canonical_steps(list(case.get("steps") or []))
    return doc


def suite_document(suite: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": suite["id"], "name": suite["name"]}
    if suite.get("settings"):
        doc["settings"] = _canonical(suite["settings"])
    return doc


def environment_document(env: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": env["id"], "name": env["name"]}
    if env.get("base_url"):
        doc["base_url"] = env["base_url"]
    doc["variables"] = dict(sorted((env.get("variables") or {}).items()))
    doc["secrets"] = sorted(env.get("secret_names") or [])
    return doc
