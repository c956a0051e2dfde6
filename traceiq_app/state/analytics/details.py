"""The analytics detail pages: one test's history (/projects/<id>/analytics/test?key=...), one
failure cluster (/projects/<id>/analytics/clusters/<id>) and a run comparison (/runs/<id>/compare).

Every public method is an event handler any client can call: each authorizes `analytics.read`
on the server through `state.guard` before reading anything."""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from traceiq_app.components.analytics import figures
from traceiq_app.services.analytics import clusters as clusters_service
from traceiq_app.services.analytics import compare as compare_service
from traceiq_app.services.analytics import health as health_service
from traceiq_app.services.analytics import quarantine as quarantine_service
from traceiq_app.services.analytics import test_history
from traceiq_app.services.catalog import projects
from traceiq_app.services.catalog.projects import NotFound
from traceiq_app.services.runs import control as runs_service
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


def _s(value: Any) -> str:
    return "" if value is None else str(value)


class TestHistoryState(ProtectedState):
    __test__ = False

    pid: str = ""
    key: str = ""
    name: str = ""
    project_name: str = ""
    error: str = ""
    loaded: bool = False
    summary: dict[str, str] = {}
    timeline: rx.Field[list[dict[str, Any]]] = rx.field([])
    trend: rx.Field[dict[str, Any]] = rx.field({})
    clusters: rx.Field[list[dict[str, str]]] = rx.field([])
    quarantine: rx.Field[list[dict[str, str]]] = rx.field([])
    last_failure: str = ""  # the newest failed result's id: "Raise defect" prefills from it

    @rx.var
    def fig_timeline(self) -> figures.Figure:
        return figures.test_timeline(self.timeline)

    @rx.var
    def fig_steps(self) -> figures.Figure:
        return figures.step_trend(self.trend)

    @rx.event
    def load(self) -> Any:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.key = guard.query_param(self, "key")[:300] or self.key
        self.error, self.loaded = "", False
        try:
            _principal, pid = guard.require(self, "analytics.read", self.pid)
            self.project_name = projects.get_project(pid).name
            rows = health_service.health_table(pid, test_key=self.key)
            if not rows:
                raise NotFound("test history")
            h = rows[0]
            self.name = h["name"]
            self.summary = {"runs": str(h["runs"]), "pass_rate": f"{h['pass_rate']:.0%}",
                            "flip_rate": f"{h['flip_rate']:.0%}", "health": f"{h['health']:.0%}",
                            "median": _s(h["median_ms"]), "p95": _s(h["p95_ms"]),
                            "slowing": "yes" if h["slowing_down"] else ""}
            self.timeline = test_history.timeline(pid, self.key)
            self.trend = test_history.step_trend(pid, self.key)
            self.last_failure = next((r["test_result_id"] or "" for r in reversed(self.timeline)
                                      if r["status"] in ("failed", "error")), "")
            self.clusters = [{k: _s(v) for k, v in c.items() if not isinstance(v, list)}
                             for c in clusters_service.clusters(pid, test_key=self.key)]
            self.quarantine = [{k: _s(v) for k, v in q.items()} for q in quarantine_service.listing(pid)
                               if q["test_id"] == self.key]
            self.loaded = True
        except guard.DENIED as exc:
            self.timeline, self.trend, self.clusters, self.quarantine, self.summary = [], {}, [], [], {}
            self.last_failure = ""
            self.project_name, self.error, self.loaded = "", guard.error_message(exc), True
        return None

    @rx.event
    def open_result(self, points: list[dict[str, Any]]) -> Any:
        try:
            guard.require(self, "analytics.read", self.pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        index = int((points or [{}])[0].get("pointNumber") or 0)
        if 0 <= index < len(self.timeline):
            return rx.redirect(f"/runs/{self.timeline[index]['run_id']}")
        return None


class ClusterState(ProtectedState):
    pid: str = ""
    cluster_id: str = ""
    project_name: str = ""
    error: str = ""
    loaded: bool = False
    cluster: dict[str, str] = {}
    occurrences: rx.Field[list[dict[str, str]]] = rx.field([])

    @rx.event
    def load(self) -> Any:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        path = ""
        with contextlib.suppress(AttributeError):
            path = self.router.url.path or ""
        self.cluster_id = (path.rstrip("/").rsplit("/", 1)[-1] if "/clusters/" in path else self.cluster_id)[:40]
        self.error, self.loaded = "", False
        try:
            _principal, pid = guard.require(self, "analytics.read", self.pid)
            self.project_name = projects.get_project(pid).name
            found = clusters_service.cluster(pid, self.cluster_id)
            if found is None:
                raise NotFound("cluster")
            self.occurrences = [{k: _s(v) for k, v in o.items()} for o in found.pop("occurrences")]
            self.cluster = {k: (", ".join(v) if isinstance(v, list) else _s(v)) for k, v in found.items()}
            for k in ("first_seen", "last_seen"):
                self.cluster[k] = self.cluster.get(k, "")[:10]
            self.loaded = True
        except guard.DENIED as exc:
            self.cluster, self.occurrences, self.project_name = {}, [], ""
            self.error, self.loaded = guard.error_message(exc), True
        return None


class CompareState(ProtectedState):
    run_id: str = ""
    baseline_id: str = ""
    error: str = ""
    loaded: bool = False
    sections: rx.Field[list[dict[str, Any]]] = rx.field([])

    @rx.event
    def load(self) -> Any:
        self.run_id = guard.id_from_path(self, "runs") or self.run_id
        self.error, self.loaded, self.sections = "", False, []
        try:
            run = runs_service.get_run(guard.as_uuid(self.run_id, "run"))
            if run is None:
                raise NotFound("run")
            guard.require(self, "analytics.read", run.project_id)
            wanted = guard.query_param(self, "baseline")
            result = compare_service.compare(run.id, guard.as_uuid(wanted, "baseline run") if wanted else None)
            if result is None:
                raise NotFound("run")
            self.baseline_id = result["baseline_id"] or ""
            labels = {"new_failures": "New failures", "fixed": "Fixed", "still_failing": "Still failing",
                      "newly_flaky": "Newly flaky", "added": "Added", "removed": "Removed",
                      "slower": "Markedly slower", "faster": "Markedly faster"}
            self.sections = [{"key": k, "label": label, "count": len(result[k]),
                              "tests": [{f: _s(v) for f, v in t.items()} for t in result[k]]}
                             for k, label in labels.items()]
            self.loaded = True
        except guard.DENIED as exc:
            self.sections, self.error, self.loaded = [], guard.error_message(exc), True
        return None
