"""The project dashboard (/projects/<id>/analytics): charts with filters and click-through, the
test health table (sort, views) and the quarantines.

Every public method is an event handler any client can call: each authorizes on the server
(`analytics.read`; `quarantine.write` to change quarantines) through `state.guard` before it
reads or changes anything. Charts are kept as the small series dict; figures are computed vars."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from traceiq_app.components.analytics import figures
from traceiq_app.services.accounts import members as members_service
from traceiq_app.services.analytics import clusters as clusters_service
from traceiq_app.services.analytics import filters as filters_service
from traceiq_app.services.analytics import health as health_service
from traceiq_app.services.analytics import quarantine as quarantine_service
from traceiq_app.services.analytics import svg
from traceiq_app.services.analytics import trends as trends_service
from traceiq_app.services.catalog import projects
from traceiq_app.services.runs import views as run_views
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState
from traceiq_app.state.defects.dashboard import DefectDashState

MAX_ROWS = 300
FIRST_ROWS = 50  # rows of the health table sent on load; "Show all" asks for up to MAX_ROWS
VIEWS = ("all", "flaky", "slowing")
BUCKETS = ("day", "run")
# Resolves once every chart of the dashboard has its traces drawn (or after 3 s at most): polled
# with timers, not animation frames, so a tab opened in the background still resolves.
AFTER_CHARTS_DRAWN_JS = "const charts = " + json.dumps(figures.CHARTS) + ";" + """new Promise((resolve) => {
  const started = Date.now();
  const drawn = () => charts.every((id) => document.querySelector(`#chart-${id} .main-svg g.trace`));
  const check = () => (drawn() || Date.now() - started > 3000) ? resolve(true) : setTimeout(check, 25);
  check();
})"""


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _ms(value: int | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value} ms"


def _day(text: str, field: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise filters_service.FilterError(field, "is not a date (YYYY-MM-DD)") from None


class DashboardState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    loaded: bool = False
    error: str = ""
    has_data: bool = False
    can_quarantine: bool = False
    # filters as shown in the form
    f_since: str = ""
    f_until: str = ""
    f_suite: str = "all"
    f_tag: str = ""
    f_branch: str = ""
    f_env: str = "all"
    bucket: str = "day"
    suites: rx.Field[list[dict[str, str]]] = rx.field([])
    environments: rx.Field[list[dict[str, str]]] = rx.field([])
    series: rx.Field[dict[str, Any]] = rx.field({})
    # health table (and the quarantines and clusters), loaded after the charts
    tables_loaded: bool = False
    rows: rx.Field[list[dict[str, str]]] = rx.field([])
    row_limit: int = FIRST_ROWS
    more_rows: bool = False  # the table was cut at row_limit
    view: str = "all"
    sort_by: str = "health"
    descending: bool = False
    quarantines: rx.Field[list[dict[str, str]]] = rx.field([])
    clusters: rx.Field[list[dict[str, str]]] = rx.field([])
    # the quarantine dialog
    q_open: bool = False
    q_test: str = ""
    q_name: str = ""
    q_owners: rx.Field[list[dict[str, str]]] = rx.field([])  # the project's members: {"id", "label"}
    q_owner: str = ""  # the picker's first value (the user opening the dialog)

    # ---- figures (computed from the series this tab was allowed to load) ----------------------
    @rx.var
    def figs(self) -> dict[str, figures.Figure]:
        """Every chart's Plotly JSON by name (figures.CHARTS), from the series."""
        return {name: figures.build(self.series, name) for name in figures.CHARTS}

    @rx.var
    def summary_query(self) -> str:
        """The applied filters as the summary download's query string (`to` includes its day)."""
        query: dict[str, str] = {}
        for name, text, extra in (("since", self.f_since, 0), ("until", self.f_until, 1)):
            try:
                day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC) if text else None
            except ValueError:
                day = None
            if day is not None:
                query[name] = (day + timedelta(days=extra)).isoformat()
        for name, value in (("suite", self.f_suite), ("tag", self.f_tag), ("branch", self.f_branch),
                            ("environment", self.f_env)):
            if value and value != "all":
                query[name] = value
        return "?" + urlencode(query) if query else ""

    # ---- helpers (not callable from clients) ----------------------------------------------
    def _filters(self, pid: uuid.UUID) -> filters_service.Filters:
        since, until = _day(self.f_since, "from"), _day(self.f_until, "to")
        return filters_service.resolve(
            pid, since=since, until=until + timedelta(days=1) if until else None,
            suite=None if self.f_suite in ("", "all") else self.f_suite, tag=self.f_tag or None,
            branch=self.f_branch or None, environment=None if self.f_env in ("", "all") else self.f_env)

    def _reload(self) -> None:
        self._reload_charts()
        self._reload_tables()

    def _reload_charts(self) -> None:
        _principal, pid = guard.require(self, "analytics.read", self.pid)
        self.series = trends_service.trends(pid, self._filters(pid), self.bucket if self.bucket in BUCKETS else "day")
        self.has_data = bool(self.series.get("x"))

    def _reload_tables(self) -> None:
        principal, pid = guard.require(self, "analytics.read", self.pid)
        flt = self._filters(pid)
        limit = max(FIRST_ROWS, min(self.row_limit, MAX_ROWS))
        items = health_service.health_table(pid, flt, view=None if self.view == "all" else self.view,
                                            sort=self.sort_by, descending=self.descending)
        self.more_rows = len(items) > limit
        self.rows = [{
            "test_id": i["test_id"], "name": i["name"], "runs": str(i["runs"]), "pass_rate": _pct(i["pass_rate"]),
            "flip_rate": _pct(i["flip_rate"]), "flaky_on_retry": _pct(i["flaky_on_retry_rate"]),
            "health": _pct(i["health"]), "median": _ms(i["median_ms"]), "p95": _ms(i["p95_ms"]),
            "spark": svg.data_uri(svg.sparkline(i["sparkline"])),
            "slowing": "yes" if i["slowing_down"] else "",
            "quarantined": "yes" if i["quarantined"] else "",
            "last_failure": ((i["last_failure"] or {}).get("error") or "")[:160],
            "href": f"/projects/{pid}/analytics/test?" + urlencode({"key": i["test_id"]}),
        } for i in items[:limit]]
        emails = {m["user_id"]: m["email"] for m in members_service.list_project_members(principal, pid)}
        self.quarantines = [{**{k: str(v or "") for k, v in q.items()},
                             "owner": emails.get(str(q["owner_user_id"] or ""), "—")}
                            for q in quarantine_service.listing(pid)]
        self.clusters = [{"id": c["id"], "category": c["category"], "signature": c["signature"],
                          "count": str(c["count"]), "tests": str(c["tests"]), "last_seen": (c["last_seen"] or "")[:10],
                          "href": f"/projects/{pid}/analytics/clusters/{c['id']}"}
                         for c in clusters_service.clusters(pid, flt, limit=10)]
        self.can_quarantine = guard.can(principal, "quarantine.write", pid)
        self.tables_loaded = True

    def _fail(self, exc: BaseException) -> Any:
        message = guard.error_message(exc)
        if isinstance(exc, filters_service.FilterError):
            return rx.toast.error(message)
        self.series, self.rows, self.quarantines, self.clusters, self.project_name = {}, [], [], [], ""
        self.error, self.loaded = message, True
        return rx.toast.error(message)

    # ---- events ----------------------------------------------------------------------------
    @rx.event
    def load(self) -> Any:
        """Charts first: the browser draws them while the health table, quarantines and clusters
        are read (they sit below the charts)."""
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.loaded, self.tables_loaded, self.row_limit = "", False, False, FIRST_ROWS
        view = guard.query_param(self, "view")
        self.view = view if view in VIEWS else "all"
        try:
            _principal, pid = guard.require(self, "analytics.read", self.pid)
            self.project_name = projects.get_project(pid).name
            choices = run_views.filter_choices(pid)
            self.suites, self.environments = choices.suites, choices.environments
            self._reload_charts()
            self.loaded = True
        except (*guard.DENIED, filters_service.FilterError) as exc:
            yield self._fail(exc)
            return
        if not self.has_data:
            yield DefectDashState.load
            return
        # The tables (and the defects section) are asked for once the browser has drawn the
        # charts: rendering them while Plotly lays out seven charts made every one of Plotly's
        # text measurements re-lay out the whole page (the charts are what the page opens on).
        yield rx.call_script(AFTER_CHARTS_DRAWN_JS, callback=DashboardState.load_tables)

    @rx.event
    def load_tables(self, _drawn: Any = None) -> Any:
        """The health table, quarantines and clusters (below the charts), then the defects section."""
        try:
            guard.require(self, "analytics.read", self.pid)
            if self.tables_loaded:  # already sent (a second call from the same tab)
                return None
            self._reload_tables()
        except (*guard.DENIED, filters_service.FilterError) as exc:
            return self._fail(exc)
        return DefectDashState.load

    @rx.event
    def show_all_rows(self) -> Any:
        self.row_limit = MAX_ROWS
        try:
            self._reload_tables()
        except (*guard.DENIED, filters_service.FilterError) as exc:
            return self._fail(exc)
        return None

    @rx.event
    def apply_filters(self, form_data: dict[str, Any]) -> Any:
        return self._apply(form_data)

    @rx.event
    def clear_filters(self) -> Any:
        return self._apply({})

    def _apply(self, form_data: dict[str, Any]) -> Any:
        def pick(name: str) -> str:
            return str(form_data.get(name) or "").strip()[:255]

        self.f_since, self.f_until = pick("since"), pick("until")
        self.f_suite, self.f_env = pick("suite") or "all", pick("environment") or "all"
        self.f_tag, self.f_branch = pick("tag"), pick("branch")
        bucket = pick("bucket")
        self.bucket = bucket if bucket in BUCKETS else "day"
        try:
            self._reload()
        except (*guard.DENIED, filters_service.FilterError) as exc:
            return self._fail(exc)
        return None

    @rx.event
    def set_view(self, view: str | list[str]) -> Any:
        chosen = view[0] if isinstance(view, list) and view else view
        self.view = chosen if isinstance(chosen, str) and chosen in VIEWS else "all"
        try:
            self._reload()
        except (*guard.DENIED, filters_service.FilterError) as exc:
            return self._fail(exc)
        return None

    @rx.event
    def sort_health(self, column: str) -> Any:
        if column not in health_service.SORTS:
            return None
        self.descending = (not self.descending) if self.sort_by == column else column in ("runs", "median_ms", "p95_ms")
        self.sort_by = column
        try:
            self._reload()
        except (*guard.DENIED, filters_service.FilterError) as exc:
            return self._fail(exc)
        return None

    @rx.event
    def chart_click(self, chart: str, points: list[dict[str, Any]]) -> Any:
        """A click on a point or bar: go to the runs (or the run) behind it."""
        try:
            _principal, pid = guard.require(self, "analytics.read", self.pid)
        except guard.DENIED as exc:
            return self._fail(exc)
        if not points or chart not in figures.CHARTS:
            return None
        point = points[0]
        index = int(point.get("pointNumber") or 0)
        base = f"/projects/{pid}/runs"
        query: dict[str, str] = {}
        if self.f_branch:
            query["branch"] = self.f_branch
        if self.f_env not in ("", "all"):
            query["environment"] = self.f_env
        if chart in ("environment", "browser", "branch"):
            data = self.series.get("breakdowns", {}).get(chart, {})
            values = data.get("values", [])
            if chart == "environment" and 0 <= index < len(values) and values[index]:
                query["environment"] = values[index]
            elif chart == "branch" and 0 <= index < len(values) and values[index]:
                query["branch"] = values[index]
            if int(point.get("curveNumber") or 0) == 1:
                query["status"] = "failed"
            return rx.redirect(base + ("?" + urlencode(query) if query else ""))
        xs = self.series.get("x", [])
        if not 0 <= index < len(xs):
            return None
        if self.series.get("bucket") == "run":
            return rx.redirect(f"/runs/{xs[index]}")
        query["from"] = query["to"] = str(xs[index])
        if chart == "outcomes":
            outcomes = list(self.series.get("runs", {}))
            curve = int(point.get("curveNumber") or 0)
            if 0 <= curve < len(outcomes):
                query["status"] = outcomes[curve]
        return rx.redirect(base + "?" + urlencode(query))

    @rx.event
    def open_quarantine(self, test_id: str, name: str) -> Any:
        try:
            principal, pid = guard.require(self, "quarantine.write", self.pid)
            self.q_owners = [{"id": m["user_id"], "label": f"{m['display_name']} ({m['email']})" if m["display_name"]
                              else m["email"]} for m in members_service.list_project_members(principal, pid)]
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self.q_owner = str(principal.user_id)
        self.q_test, self.q_name, self.q_open = test_id[:300], name[:300], True
        return None

    @rx.event
    def close_quarantine(self) -> None:
        self.q_open = False

    @rx.event
    def quarantine(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "quarantine.write", self.pid)
            key, name = quarantine_service.resolve_test(pid, self.q_test)
            try:
                days = int(str(form_data.get("days") or "14"))
            except ValueError:
                raise quarantine_service.QuarantineError("days", "is not a whole number") from None
            if not 1 <= days <= 365:
                raise quarantine_service.QuarantineError("days", "must be between 1 and 365")
            chosen = str(form_data.get("owner") or self.q_owner or "")
            try:
                owner = uuid.UUID(chosen) if chosen else None  # None: the user quarantining it
            except ValueError:
                raise quarantine_service.QuarantineError("owner", "pick the owner from the project's members") from None
            from traceiq_app.models import utcnow

            quarantine_service.create(pid, principal, quarantine_service.QuarantineIn(
                key, name, str(form_data.get("reason") or ""), owner, utcnow() + timedelta(days=days)))
            self.q_open = False
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success(f"{self.q_name} is quarantined")

    @rx.event
    def lift(self, test_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "quarantine.write", self.pid)
            quarantine_service.lift(pid, principal, test_id[:300])
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Quarantine lifted")
