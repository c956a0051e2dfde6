"""Runs list of a project (/projects/<id>/runs): filters and keyset pagination.

Every public method is an event handler any client can call: each authorizes `run.read` on
the project through `state.guard` before reading anything (`self.pid` only says which project
the tab shows). Rows hold short display strings only; a page is at most `PAGE_SIZE` runs.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.runs import views as run_views
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

ALL = "all"
# Filters in the page's URL (?status=failed&folder=<id>...): shareable and bookmarkable.
URL_PARAMS = {"status": "status", "trigger": "trigger", "folder": "suite_id", "environment": "environment_id",
              "branch": "branch", "from": "date_from", "to": "date_to"}
STATUSES = [ALL, "queued", "running", "passed", "failed", "cancelled", "timed_out", "error"]
TRIGGERS = [ALL, "ui", "api", "cli", "schedule", "rerun", "import"]


class RunsListState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    rows: rx.Field[list[dict[str, str]]] = rx.field([])
    # Filters as shown in the form ("" / "all" = any).
    f_status: str = ALL
    f_trigger: str = ALL
    f_suite: str = ALL
    f_env: str = ALL
    f_branch: str = ""
    f_from: str = ""
    f_to: str = ""
    suites: rx.Field[list[dict[str, str]]] = rx.field([])
    environments: rx.Field[list[dict[str, str]]] = rx.field([])
    branches: rx.Field[list[str]] = rx.field([])
    # Keyset pagination: the cursor of the current page and of the pages before it.
    cursor: str = ""
    prev_cursors: rx.Field[list[str]] = rx.field([])
    next_cursor: str = ""
    page_no: int = 1
    can_run: bool = False
    loaded: bool = False
    error: str = ""

    @rx.var
    def filter_key(self) -> str:
        """Changes with the applied filters: the filter form re-mounts and shows them (its inputs
        are uncontrolled), e.g. after a page load from a ?status=failed link."""
        return "|".join((self.f_status, self.f_trigger, self.f_suite, self.f_env, self.f_branch, self.f_from,
                         self.f_to))

    # ---- helpers (not callable from clients) ----------------------------------------------
    def _filters(self) -> run_views.RunFilters:
        return run_views.RunFilters.from_form({
            "status": self.f_status, "trigger": self.f_trigger, "suite_id": self.f_suite,
            "environment_id": self.f_env, "branch": self.f_branch, "date_from": self.f_from, "date_to": self.f_to,
        })

    def _fetch(self) -> None:
        _principal, pid = guard.require(self, "run.read", self.pid)
        page = run_views.list_runs(pid, self._filters(), self.cursor)
        self.rows = [r.to_view() for r in page.rows]
        self.next_cursor = page.next_cursor

    def _clear(self, message: str) -> None:
        self.rows, self.suites, self.environments, self.branches = [], [], [], []
        self.project_name, self.next_cursor, self.error, self.loaded = "", "", message, True

    # ---- events ----------------------------------------------------------------------------
    def _set_filters(self, form_data: dict[str, Any]) -> None:
        def pick(name: str, allowed: list[str] | None = None) -> str:
            value = str(form_data.get(name) or "").strip()[:255]
            if allowed is not None and value not in allowed:
                return ALL
            return value

        self.f_status, self.f_trigger = pick("status", STATUSES), pick("trigger", TRIGGERS)
        self.f_suite, self.f_env = pick("suite_id") or ALL, pick("environment_id") or ALL
        self.f_branch, self.f_from, self.f_to = pick("branch"), pick("date_from"), pick("date_to")

    def _url_query(self) -> str:
        from urllib.parse import urlencode

        values = {"status": self.f_status, "trigger": self.f_trigger, "folder": self.f_suite,
                  "environment": self.f_env, "branch": self.f_branch, "from": self.f_from, "to": self.f_to}
        return urlencode({k: v for k, v in values.items() if v and v != ALL})

    @rx.event
    def load(self) -> Any:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.cursor, self.prev_cursors, self.page_no = "", "", [], 1
        self._set_filters({field: guard.query_param(self, param) for param, field in URL_PARAMS.items()})
        try:
            principal, pid = guard.require(self, "run.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.can_run = guard.can(principal, "run.start", pid)
            choices = run_views.filter_choices(pid)
            self.suites, self.environments, self.branches = choices.suites, choices.environments, choices.branches
            self._fetch()
            self.loaded = True
        except guard.DENIED as exc:
            self._clear(guard.error_message(exc))
        return None

    @rx.event
    def apply_filters(self, form_data: dict[str, Any]) -> Any:
        return self._apply(form_data)

    @rx.event
    def clear_filters(self) -> Any:
        return self._apply({})

    def _apply(self, form_data: dict[str, Any]) -> Any:
        import json

        self._set_filters(form_data)
        self.cursor, self.prev_cursors, self.page_no = "", [], 1
        try:
            self._fetch()
        except guard.DENIED as exc:
            self._clear(guard.error_message(exc))
            return rx.toast.error(guard.error_message(exc))
        query = self._url_query()
        # The address bar follows the filters (replaceState: no new history entry per change).
        return rx.call_script("window.history.replaceState(window.history.state, '', "
                              f"window.location.pathname + {json.dumps('?' + query if query else '')})")

    @rx.event
    def next_page(self) -> Any:
        if not self.next_cursor:
            return None
        previous = self.cursor
        self.cursor = self.next_cursor
        try:
            self._fetch()
        except (*guard.DENIED, run_views.BadCursor) as exc:
            self.cursor = previous
            self._clear(guard.error_message(exc))
            return None
        self.prev_cursors = [*self.prev_cursors, previous]
        self.page_no += 1
        return None

    @rx.event
    def prev_page(self) -> Any:
        if not self.prev_cursors:
            return None
        self.cursor = self.prev_cursors[-1]
        self.prev_cursors = self.prev_cursors[:-1]
        self.page_no = max(1, self.page_no - 1)
        try:
            self._fetch()
        except (*guard.DENIED, run_views.BadCursor) as exc:
            self._clear(guard.error_message(exc))
        return None
