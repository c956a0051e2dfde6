"""Reading a pushed folder (path -> YAML text) into what the project should hold, with every
problem located (file, line for YAML errors, step number and field for test definitions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from traceiq_app.models import TestPriority
from traceiq_app.models.test_case import OPTION_KEYS
from traceiq_app.services.catalog.test_cases import validate_parts
from traceiq_app.services.catalog.tree_sync import layout

MAX_FILES = 5000


@dataclass
class WantedSuite:
    path: str
    parent_path: str | None
    id: uuid.UUID | None
    name: str
    settings: dict[str, Any]


@dataclass
class WantedTest:
    path: str
    folder: str | None
    id: uuid.UUID | None
    name: str
    description: str | None
    priority: str
    tags: list[str]
    options: dict[str, Any]
    steps: list[dict[str, Any]]
    kind: str = "automated"  # or "manual"
    preconditions: str | None = None


@dataclass
class WantedEnvironment:
    index: int
    id: uuid.UUID | None
    name: str
    base_url: str | None
    variables: dict[str, str]
    secrets: list[str]


@dataclass
class Wanted:
    suites: dict[str, WantedSuite] = field(default_factory=dict)
    tests: list[WantedTest] = field(default_factory=list)
    environments: list[WantedEnvironment] | None = None  # None: no _environments.yaml (not managed)


class TreeInvalid(ValueError):
    """Nothing was changed; `problems` are {"file", "problem"} dicts."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p['file']}: {p['problem']}" for p in problems[:5]))


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, file: str, problem: str) -> None:
        self.items.append({"file": file, "problem": problem})


def _load(path: str, text: str, problems: _Problems) -> dict[str, Any] | None:
    try:
        data = yaml.load(text, Loader=layout.SafeLoader)  # noqa: S506 - a safe loader (libyaml's when present)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problems.add(path, f"{where}invalid YAML ({exc.problem or 'syntax error'})")
        return None
    except yaml.YAMLError:
        problems.add(path, "invalid YAML")
        return None
    if not isinstance(data, dict):
        problems.add(path, "must be a YAML mapping (key: value lines)")
        return None
    return data


def _id(path: str, data: dict[str, Any], problems: _Problems) -> uuid.UUID | None:
    raw = data.get("id")
    if raw is None or raw == "":
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        problems.add(path, f"id: '{raw}' is not an id (remove the line to create a new one)")
        return None


def _unknown_keys(path: str, data: dict[str, Any], allowed: tuple[str, ...], problems: _Problems) -> None:
    for key in data:
        if key not in allowed:
            problems.add(path, f"{key}: unknown field (allowed: {', '.join(allowed)})")


def _manual_steps(path: str, data: dict[str, Any], problems: _Problems) -> list[dict[str, Any]]:
    """A manual test's steps and fields; problems located like the automated ones."""
    from traceiq_app.services.catalog.manual_cases import clean_steps
    from traceiq_app.services.catalog.projects import Invalid

    if data.get("options"):
        problems.add(path, "options: a manual test has no options (they are for automated tests)")
    preconditions = data.get("preconditions")
    if preconditions is not None and not isinstance(preconditions, str):
        problems.add(path, "preconditions: must be text")
    try:
        return list(clean_steps(data.get("steps") if isinstance(data.get("steps"), list) else None))
    except Invalid as exc:
        problems.add(path, exc.message)
        return []


def _test(path: str, data: dict[str, Any], folder: str | None, problems: _Problems) -> WantedTest | None:
    before = len(problems.items)
    _unknown_keys(path, data, layout.TEST_KEYS, problems)
    kind = data.get("kind") or "automated"
    if kind not in ("automated", layout.MANUAL):
        problems.add(path, f"kind: '{kind}' is not automated or manual")
        return None
    if "preconditions" in data and kind != layout.MANUAL:
        problems.add(path, "preconditions: only manual tests have preconditions (add 'kind: manual')")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(path, "name: required (the test's name)")
        name = ""
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        problems.add(path, "description: must be text")
    priority = str(data.get("priority") or TestPriority.medium.value)
    if priority not in {p.value for p in TestPriority}:
        problems.add(path, f"priority: '{priority}' is not one of {', '.join(p.value for p in TestPriority)}")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.add(path, "tags: must be a list of words")
        tags = []
    options = data.get("options") or {}
    if not isinstance(options, dict):
        problems.add(path, "options: must be a mapping")
        options = {}
    for key in options:
        if key not in OPTION_KEYS:
            problems.add(path, f"options.{key}: unknown option (allowed: {', '.join(OPTION_KEYS)})")
    steps: Any
    if kind == layout.MANUAL:
        steps = _manual_steps(path, data, problems)
    else:
        steps = data.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.add(path, "steps: add at least one step")
            steps = []
    if len(problems.items) == before and kind != layout.MANUAL:
        for problem in validate_parts(name, steps, description=description, tags=tags, options=options):
            problems.add(path, str(problem))
    if len(problems.items) != before:
        return None
    return WantedTest(path=path, folder=folder, id=_id(path, data, problems), name=name.strip(),
                      description=(description or "").strip() or None, priority=priority,
                      tags=list(dict.fromkeys(t.strip() for t in tags if t.strip())),
                      options={k: v for k, v in options.items() if v is not None and v != {} and v != []},
                      steps=steps, kind=kind, preconditions=str(data.get("preconditions") or "").strip() or None)


def _environments(data: dict[str, Any], problems: _Problems) -> list[WantedEnvironment]:
    path = layout.ENVIRONMENTS_FILE
    _unknown_keys(path, data, ("environments",), problems)
    raw = data.get("environments") or []
    if not isinstance(raw, list):
        problems.add(path, "environments: must be a list")
        return []
    out: list[WantedEnvironment] = []
    for i, item in enumerate(raw):
        where = f"environments[{i}]"
        if not isinstance(item, dict):
            problems.add(path, f"{where}: must be a mapping")
            continue
        for key in item:
            if key not in layout.ENV_KEYS:
                problems.add(path, f"{where}.{key}: unknown field (allowed: {', '.join(layout.ENV_KEYS)})")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
            problems.add(path, f"{where}.name: required, at most 100 characters")
            continue
        variables = item.get("variables") or {}
        secrets = item.get("secrets") or []
        if not isinstance(variables, dict):
            problems.add(path, f"{where}.variables: must be a mapping of NAME: value")
            variables = {}
        if not isinstance(secrets, list) or not all(isinstance(s, str) for s in secrets):
            problems.add(path, f"{where}.secrets: must be a list of secret NAMES (values are never in files)")
            secrets = []
        base_url = item.get("base_url")
        if base_url is not None and not isinstance(base_url, str):
            problems.add(path, f"{where}.base_url: must be a URL")
            base_url = None
        env_id = _id(f"{path} {where}", item, problems)
        out.append(WantedEnvironment(i, env_id, name.strip(), base_url,
                                     {str(k): "" if v is None else str(v) for k, v in variables.items()}, secrets))
    return out


def read_files(files: dict[str, str]) -> Wanted:
    """The wanted project, or TreeInvalid with every problem."""
    problems = _Problems()
    wanted = Wanted()
    if len(files) > MAX_FILES:
        raise TreeInvalid([{"file": "", "problem": f"at most {MAX_FILES} files per push"}])
    folders: set[str] = set()
    suite_docs: dict[str, dict[str, Any]] = {}
    for raw_path in sorted(files):
        parts = PurePosixPath(raw_path).parts
        if (not raw_path or raw_path.startswith("/") or ".." in parts or "\\" in raw_path
                or not raw_path.endswith((".yaml", ".yml"))):
            problems.add(raw_path, "not a relative path of a .yaml file")
            continue
        folder = "/".join(parts[:-1]) or None
        for depth in range(1, len(parts)):
            folders.add("/".join(parts[:depth]))
        data = _load(raw_path, files[raw_path], problems)
        if data is None:
            continue
        base = parts[-1]
        if base == layout.ENVIRONMENTS_FILE and folder is None:
            wanted.environments = _environments(data, problems)
        elif base == layout.SUITE_FILE and folder is not None:
            suite_docs[folder] = data
        elif base.startswith("_"):
            problems.add(raw_path, f"unknown file: names starting with '_' are {layout.SUITE_FILE} (in a folder) "
                                   f"and {layout.ENVIRONMENTS_FILE} (at the top)")
        else:
            test = _test(raw_path, data, folder, problems)
            if test is not None:
                wanted.tests.append(test)
    for folder in sorted(folders, key=lambda f: (f.count("/"), f)):
        data = suite_docs.get(folder, {})
        path = f"{folder}/{layout.SUITE_FILE}"
        _unknown_keys(path, data, layout.SUITE_KEYS, problems)
        name = data.get("name", folder.rsplit("/", 1)[-1])
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
            problems.add(path, "name: required, at most 200 characters")
            name = folder
        settings = data.get("settings") or {}
        if not isinstance(settings, dict):
            problems.add(path, "settings: must be a mapping")
            settings = {}
        parent = folder.rsplit("/", 1)[0] if "/" in folder else None
        wanted.suites[folder] = WantedSuite(folder, parent, _id(path, data, problems), name.strip(), settings)
    if problems.items:
        raise TreeInvalid(problems.items)
    return wanted
