"""The test editor: steps with type-specific forms, locator alternatives, inline validation,
save with versions, history with a readable diff and restore, effective settings.

Every public method is an event handler any client can call. Handlers that only edit the
in-memory draft (this tab's own state) need no database; every handler that reads or writes
the database authorizes through `state.guard` first, against the project the TEST belongs to
(looked up server-side), never against an id the client sent alone.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from traceiq_app.models import TestPriority
from traceiq_app.services.catalog import environments, settings_resolution, suites, test_cases
from traceiq_app.services.catalog.test_cases import TestCaseInvalid
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState
from traceiq_app.state.catalog.editor_forms import (
    AltView,
    StepView,
    change_action,
    hide_errors,
    new_step,
    new_uid,
    step_to_view,
    validate_views,
    views_to_steps,
)
from traceiq_app.state.catalog.editor_forms import (
    actions as all_actions,
)

NO_ENV = "__none__"


@dataclasses.dataclass
class DiffRow:
    kind: str = "same"  # added | removed | changed
    title: str = ""
    fields: list[dict[str, str]] = dataclasses.field(default_factory=list)


class EditorState(ProtectedState):
    pid: str = ""
    tid: str = ""  # "" = a new, unsaved test
    _manual_url: str = ""  # set when the test is a manual one: load redirects to its form
    suite_id: str = ""
    breadcrumb: str = ""
    name: str = ""
    description: str = ""
    tags_text: str = ""
    priority: str = TestPriority.medium.value
    version: int = 0
    source_format: str = "native"
    options: rx.Field[dict[str, Any]] = rx.field({})
    # the test's own settings (highest precedence), as typed
    opt_base_url: str = ""
    opt_timeout_ms: str = ""
    opt_step_timeout_ms: str = ""
    opt_variables: str = ""
    opt_headers: str = ""
    steps: rx.Field[list[StepView]] = rx.field([])
    problems: rx.Field[list[str]] = rx.field([])
    name_error: str = ""
    dirty: bool = False
    # Problems show once their field was touched (step uids, "name") or after a save attempt;
    # a blank new test does not open with a list of errors. hidden_problems counts the rest.
    touched: rx.Field[list[str]] = rx.field([])
    show_all: bool = True
    hidden_problems: int = 0
    add_action: str = "click"
    can_write: bool = False
    loaded: bool = False
    error: str = ""
    # history
    history: rx.Field[list[dict[str, str]]] = rx.field([])
    diff_from: str = ""
    diff_to: str = ""
    diff_summary: str = ""
    diff_head: rx.Field[list[dict[str, str]]] = rx.field([])
    diff_rows: rx.Field[list[DiffRow]] = rx.field([])
    # effective settings
    env_choices: rx.Field[list[dict[str, str]]] = rx.field([])
    env_id: str = NO_ENV
    settings_rows: rx.Field[list[dict[str, str]]] = rx.field([])

    @rx.var
    def action_choices(self) -> list[str]:
        return all_actions()

    @rx.var
    def priority_choices(self) -> list[str]:
        return [p.value for p in TestPriority]

    @rx.var
    def problem_count(self) -> int:
        return len(self.problems)

    @rx.var
    def is_new(self) -> bool:
        return self.tid == ""

    # ---- helpers (not callable from clients) ------------------------------------------------
    def _tags(self) -> list[str]:
        return [t.strip() for t in self.tags_text.split(",") if t.strip()]

    def _options_from_fields(self) -> tuple[dict[str, Any], list[str]]:
        """The test's options from the settings fields (other option keys are kept as loaded)."""
        options = {k: v for k, v in self.options.items()
                   if k not in ("base_url", "timeout_ms", "step_timeout_ms", "variables", "headers")}
        errors: list[str] = []
        if self.opt_base_url.strip():
            options["base_url"] = self.opt_base_url.strip()
        for key, text in (("timeout_ms", self.opt_timeout_ms), ("step_timeout_ms", self.opt_step_timeout_ms)):
            if text.strip():
                try:
                    options[key] = int(text.strip())
                except ValueError:
                    errors.append(f"{key}: enter a whole number of milliseconds")
        for key, text in (("variables", self.opt_variables), ("headers", self.opt_headers)):
            pairs: dict[str, str] = {}
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                name, sep, value = line.partition("=" if key == "variables" else ":")
                if not sep or not name.strip():
                    errors.append(f"{key}, line {number}: write " + ("NAME=value" if key == "variables" else "Name: value"))
                    continue
                pairs[name.strip()] = value.strip()
            if pairs:
                options[key] = pairs
        return options, errors

    def _fields_from_options(self) -> None:
        o = self.options
        self.opt_base_url = str(o.get("base_url") or "")
        self.opt_timeout_ms = str(o.get("timeout_ms") or "")
        self.opt_step_timeout_ms = str(o.get("step_timeout_ms") or "")
        self.opt_variables = "\n".join(f"{k}={v}" for k, v in (o.get("variables") or {}).items())
        self.opt_headers = "\n".join(f"{k}: {v}" for k, v in (o.get("headers") or {}).items())

    def _validate(self) -> None:
        views = list(self.steps)
        options, option_errors = self._options_from_fields()
        found = validate_views(views, self.name, description=self.description or None, tags=self._tags(),
                               options=options if not option_errors else self.options)
        shown = [p for p in found if self._shows(p, views)]
        for view in views:
            if not self.show_all and view.uid not in self.touched:
                hide_errors(view)
        self.steps = views
        self.name_error = next((p.message for p in shown if p.step is None and p.field == "name"), "")
        self.problems = [f"test settings: {e}" for e in option_errors] + [str(p) for p in shown]
        self.hidden_problems = len(found) - len(shown)

    def _shows(self, problem: Any, views: list[StepView]) -> bool:
        if self.show_all:
            return True
        if problem.step is None:
            return problem.field != "name" or "name" in self.touched
        return 0 <= problem.step < len(views) and views[problem.step].uid in self.touched

    def _touch(self, key: Any) -> None:
        if isinstance(key, int):
            step = self._step(key)
            key = step.uid if step is not None else ""
        if key and key not in self.touched:
            self.touched = [*self.touched, key]

    def _changed(self) -> None:
        self.dirty = True
        self._validate()

    def _authorize(self, action: str) -> Any:
        """The principal and project id for this tab's test (the test's own project)."""
        if self.tid:
            owner = test_cases.project_of_test_case(self.tid)
            if owner is None:
                raise guard.PermissionDenied("test not found", status=404)
            return guard.require(self, action, owner)
        return guard.require(self, action, self.pid)

    def _load_test(self) -> None:
        principal, pid = self._authorize("test.read")
        self.pid = str(pid)
        self.can_write = guard.can(principal, "test.write", pid)
        if self.tid:
            case = test_cases.get_test_case(pid, self.tid)
            if case.kind == "manual":  # manual tests have their own form (pages/manual/editor.py)
                self._manual_url = f"/projects/{pid}/manual-tests/{case.id}"
                return
            self.suite_id = str(case.suite_id or "")
            self.name, self.description = case.name, case.description or ""
            self.tags_text = ", ".join(case.tags or [])
            self.priority, self.version = str(case.priority), case.version
            self.source_format, self.options = str(case.source_format), dict(case.options or {})
            self._fields_from_options()
            self.steps = [step_to_view(s) for s in case.steps or []]
        self.breadcrumb = self._breadcrumb(pid)
        self.dirty = False
        self._validate()
        self._load_history(pid)
        self._load_settings(pid)

    def _breadcrumb(self, pid: Any) -> str:
        from traceiq_app.services.catalog.projects import get_project

        project = get_project(pid)
        names = [project.name]
        if self.suite_id:
            try:
                tree = {str(n.id): n for n in suites.flatten(suites.list_tree(pid))}
            except guard.DENIED:
                tree = {}
            chain, cur = [], tree.get(self.suite_id)
            while cur is not None:
                chain.append(cur.name)
                cur = tree.get(str(cur.parent_id)) if cur.parent_id else None
            names.extend(reversed(chain))
        return " / ".join(names)

    def _load_history(self, pid: Any) -> None:
        if not self.tid:
            self.history, self.diff_rows, self.diff_head, self.diff_summary = [], [], [], ""
            return
        rows = test_cases.list_versions(pid, self.tid)
        self.history = [{"version": str(r.version), "created": r.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                         "current": "yes" if r.version == self.version else ""} for r in rows]
        if len(rows) >= 2 and not self.diff_from:
            self.diff_from, self.diff_to = str(rows[1].version), str(rows[0].version)
        if self.diff_from and self.diff_to:
            self._load_diff(pid)

    def _load_diff(self, pid: Any) -> None:
        diff = test_cases.diff_versions(pid, self.tid, int(self.diff_from), int(self.diff_to))
        self.diff_summary = f"v{diff.from_version} → v{diff.to_version}: {diff.summary()}"
        self.diff_head = [{"field": f.field, "old": f.old, "new": f.new} for f in diff.test_fields]
        rows = []
        for s in diff.changed_steps:
            number = (s.new_index if s.new_index is not None else s.old_index) or 0
            label = {"added": "Added", "removed": "Removed", "changed": "Changed"}[s.kind]
            rows.append(DiffRow(s.kind, f"{label} step {number + 1}: {s.summary}",
                                [{"field": f.field, "old": f.old, "new": f.new} for f in s.fields]))
        self.diff_rows = rows

    def _load_settings(self, pid: Any) -> None:
        self.env_choices = [{"id": NO_ENV, "name": "No environment"}] + [
            {"id": str(e.id), "name": e.name} for e in environments.list_environments(pid)]
        if self.env_id not in {e["id"] for e in self.env_choices}:
            self.env_id = NO_ENV
        rows = settings_resolution.effective_settings_for_test(
            pid, self.tid or None, suite_id=self.suite_id or None, options=self.options,
            environment_id=None if self.env_id == NO_ENV else self.env_id)
        self.settings_rows = [{"setting": r.setting, "value": r.value, "source": r.source,
                               "overridden": ", ".join(r.overridden)} for r in rows]

    def _fail(self, exc: BaseException) -> Any:
        return rx.toast.error(guard.error_message(exc))

    def _step(self, index: int) -> StepView | None:
        return self.steps[index] if 0 <= index < len(self.steps) else None

    def _alts(self, index: int, target: str) -> list[AltView] | None:
        step = self._step(index)
        if step is None:
            return None
        tv = next((t for t in step.targets if t.key == target), None)
        return tv.alternatives if tv is not None else None

    # ---- loading ---------------------------------------------------------------------------------
    @rx.event
    def load(self) -> Any:
        path_tid, path_pid = guard.id_from_path(self, "tests"), guard.id_from_path(self, "projects")
        if path_tid:
            self.tid, self.pid = path_tid, ""
        elif path_pid:
            self.tid, self.pid = "", path_pid
        self.error, self.loaded = "", False
        self.diff_from = self.diff_to = ""
        self.touched, self.show_all = [], bool(self.tid)
        if not self.tid:
            self.suite_id = guard.query_param(self, "suite")
            self.name, self.description, self.tags_text = "", "", ""
            self.priority, self.version, self.source_format, self.options = "medium", 0, "native", {}
            self._fields_from_options()
            self.steps = [step_to_view(new_step("goto"))]
        self._manual_url = ""
        try:
            self._load_test()
        except guard.DENIED as exc:
            self.error = guard.error_message(exc)
            self.steps, self.history, self.settings_rows = [], [], []
        self.loaded = True
        if self._manual_url:
            return rx.redirect(self._manual_url)
        return None

    # ---- draft edits (this tab's own state; nothing is stored until save) -------------------------
    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value
        self._touch("name")
        self._changed()

    @rx.event
    def set_description(self, value: str) -> None:
        self.description = value
        self._changed()

    @rx.event
    def set_tags_text(self, value: str) -> None:
        self.tags_text = value
        self._changed()

    @rx.event
    def set_priority(self, value: str) -> None:
        if value in {p.value for p in TestPriority}:
            self.priority = value
            self.dirty = True

    @rx.event
    def set_option(self, key: str, value: str) -> None:
        """The test's own settings fields (draft only)."""
        if key in ("base_url", "timeout_ms", "step_timeout_ms", "variables", "headers"):
            setattr(self, f"opt_{key}", str(value))
            self._changed()

    @rx.event
    def set_add_action(self, value: str) -> None:
        if value in all_actions():
            self.add_action = value

    @rx.event
    def add_step(self) -> Any:
        view = step_to_view(new_step(self.add_action))
        self.steps = [*self.steps, view]
        self._changed()
        return _focus_step(view.uid, 50)

    @rx.event
    def set_action(self, index: int, action: str) -> None:
        step = self._step(index)
        if step is None or action not in all_actions():
            return
        steps = list(self.steps)
        steps[index] = change_action(step, action)
        self.steps = steps
        self._touch(index)
        self._changed()

    def _set_value(self, index: int, key: str, value: str) -> None:
        step = self._step(index)
        if step is None:
            return
        for fv in step.fields:
            if fv.key == key:
                fv.value = value
        self._touch(index)
        self._changed()

    @rx.event
    def set_field(self, index: int, key: str, value: str) -> None:
        self._set_value(index, key, str(value))

    @rx.event
    def set_bool(self, index: int, key: str, value: bool) -> None:
        self._set_value(index, key, "true" if value else "false")

    @rx.event
    def set_advanced(self, index: int, value: str) -> None:
        step = self._step(index)
        if step is not None:
            step.advanced = value
            self._touch(index)
            self._changed()

    @rx.event
    def set_alt(self, index: int, target: str, alt: int, prop: str, value: str) -> None:
        alts = self._alts(index, target)
        if alts is None or not 0 <= alt < len(alts) or prop not in ("kind", "value", "name", "extra"):
            return
        setattr(alts[alt], prop, str(value))
        self._touch(index)
        self._changed()

    @rx.event
    def add_alt(self, index: int, target: str) -> None:
        alts = self._alts(index, target)
        if alts is None:
            return
        alts.append(AltView(kind="css"))
        self._touch(index)
        self._changed()

    @rx.event
    def remove_alt(self, index: int, target: str, alt: int) -> None:
        alts = self._alts(index, target)
        if alts is None or not 0 <= alt < len(alts):
            return
        del alts[alt]
        self._touch(index)
        self._changed()

    @rx.event
    def move_alt(self, index: int, target: str, alt: int, delta: int) -> None:
        alts = self._alts(index, target)
        if alts is None or not 0 <= alt < len(alts) or not 0 <= alt + delta < len(alts):
            return
        alts[alt], alts[alt + delta] = alts[alt + delta], alts[alt]
        self._touch(index)
        self._changed()

    def _move(self, index: int, delta: int) -> Any:
        """Swap step `index` with its neighbour `delta` away; the moved step keeps the focus."""
        target = index + delta
        if self._step(index) is None or not 0 <= target < len(self.steps):
            return None
        steps = list(self.steps)
        steps[index], steps[target] = steps[target], steps[index]
        self.steps = steps
        self._changed()
        uid = steps[target].uid
        return _focus_step(uid, 30)

    @rx.event
    def move_step(self, index: int, delta: int) -> Any:
        return self._move(index, delta)

    @rx.event
    def step_key(self, index: int, key: str, info: dict[str, Any]) -> Any:
        """Alt+ArrowUp / Alt+ArrowDown on a step's header moves the step."""
        if not (isinstance(info, dict) and info.get("alt_key")) or key not in ("ArrowUp", "ArrowDown"):
            return None
        return self._move(index, -1 if key == "ArrowUp" else 1)

    @rx.event
    def duplicate_step(self, index: int) -> None:
        step = self._step(index)
        if step is None:
            return
        copy_ = step_to_view(views_to_steps([step])[0], new_uid())
        steps = list(self.steps)
        steps.insert(index + 1, copy_)
        self.steps = steps
        self._changed()

    @rx.event
    def delete_step(self, index: int) -> None:
        if self._step(index) is None:
            return
        steps = list(self.steps)
        del steps[index]
        self.steps = steps
        self._changed()

    # ---- database (authorized) ----------------------------------------------------------------------
    @rx.event
    def save(self) -> Any:
        try:
            principal, pid = self._authorize("test.write")
        except guard.DENIED as exc:
            return self._fail(exc)
        self.show_all = True  # a save attempt shows every problem
        self._validate()
        if self.problems:
            return rx.toast.error(f"Not saved: fix {len(self.problems)} problem"
                                  f"{'s' if len(self.problems) != 1 else ''} first ({self.problems[0]})")
        steps = views_to_steps(self.steps)
        options, _errors = self._options_from_fields()
        try:
            if self.tid:
                case = test_cases.update_test_case(
                    pid, self.tid, name=self.name, steps=steps, description=self.description or None,
                    tags=self._tags(), priority=self.priority, options=options, expected_version=self.version,
                    author_id=principal.user_id)
            else:
                case = test_cases.create_test_case(
                    pid, self.name, steps, suite_id=self.suite_id or None, description=self.description or None,
                    tags=self._tags(), priority=self.priority, options=options, author_id=principal.user_id)
                self.dirty = False  # saved: leaving for the new test's page must not ask
                return [rx.toast.success(f"Test '{case.name}' created (version 1)"),
                        rx.redirect(f"/tests/{case.id}")]
        except TestCaseInvalid as exc:
            self.problems = exc.problems
            return rx.toast.error(f"Not saved: {exc.problems[0]}")
        except guard.DENIED as exc:
            return self._fail(exc)
        saved_new_version = case.version != self.version
        self.version, self.options = case.version, dict(case.options or {})
        self.dirty = False
        self.diff_from = self.diff_to = ""
        try:
            self._load_history(pid)
            self._load_settings(pid)
        except guard.DENIED as exc:
            return self._fail(exc)
        return rx.toast.success(f"Saved as version {case.version}" if saved_new_version else "Saved (no changes to the steps)")

    @rx.event
    def show_diff(self, from_version: str, to_version: str) -> Any:
        return self._diff_with(from_version, to_version)

    @rx.event
    def set_diff_from(self, value: str) -> Any:
        return self._diff_with(value, self.diff_to)

    @rx.event
    def set_diff_to(self, value: str) -> Any:
        return self._diff_with(self.diff_from, value)

    def _diff_with(self, from_version: str, to_version: str) -> Any:
        try:
            _principal, pid = self._authorize("test.read")
            self.diff_from, self.diff_to = str(int(from_version)), str(int(to_version))
            self._load_diff(pid)
        except (ValueError, *guard.DENIED) as exc:
            return self._fail(exc)
        return None

    @rx.event
    def restore_version(self, version: str) -> Any:
        try:
            principal, pid = self._authorize("test.write")
            case = test_cases.restore_version(pid, self.tid, int(version), author_id=principal.user_id)
        except (ValueError, *guard.DENIED) as exc:
            return self._fail(exc)
        self.diff_from, self.diff_to = "", ""
        self._load_test()
        return rx.toast.success(f"Version {version} restored as version {case.version}")

    @rx.event
    def set_env(self, env_id: str) -> Any:
        self.env_id = env_id
        try:
            _principal, pid = self._authorize("test.read")
            self._load_settings(pid)
        except guard.DENIED as exc:
            return self._fail(exc)
        return None

    @rx.event
    def duplicate_test(self) -> Any:
        try:
            principal, pid = self._authorize("test.write")
            copy_ = test_cases.duplicate_test_case(pid, self.tid, author_id=principal.user_id)
        except guard.DENIED as exc:
            return self._fail(exc)
        return [rx.toast.success(f"Duplicated as '{copy_.name}'"), rx.redirect(f"/tests/{copy_.id}")]

    @rx.event
    def delete_test(self) -> Any:
        try:
            _principal, pid = self._authorize("test.write")
            case = test_cases.delete_test_case(pid, self.tid)
        except guard.DENIED as exc:
            return self._fail(exc)
        suite = f"?suite={case.suite_id}" if case.suite_id else ""
        return [rx.toast.success("Test deleted — restore it from the project page"),
                rx.redirect(f"/projects/{pid}{suite}")]


# Moves the focus to a step's header (after "Add step", a keyboard move), unless the user already
# went on into a field: focusing late stole the keys typed meanwhile (a locator typed right after
# "Add step" arrived as its first two characters).
_FOCUS_STEP_JS = """setTimeout(() => {{
  const a = document.activeElement;
  if (a && a !== document.body && (a.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName))) return;
  document.getElementById('step-{uid}')?.focus();
}}, {delay})"""


def _focus_step(uid: str, delay: int) -> Any:
    return rx.call_script(_FOCUS_STEP_JS.format(uid=uid, delay=delay))
