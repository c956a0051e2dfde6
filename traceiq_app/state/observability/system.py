"""The System page (/settings/system): org owners and admins see workers, queues, Redis, the
database, their organization's artifact storage and retention, refreshed every few seconds while
the page is open. Every handler authorizes `system.read` on the server first."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from traceiq_app.services.observability import system
from traceiq_app.services.platform.permissions import PermissionDenied
from traceiq_app.state.accounts.auth import ProtectedState, toast_error

REFRESH_S = 3.0


def _mb(value: Any) -> str:
    return "—" if value is None else f"{value:,.1f} MB"


def _duration(seconds: Any) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _rows(part: Any) -> tuple[list[Any], str]:
    return (part, "") if isinstance(part, list) else ([], str(part.get("error", "")) if isinstance(part, dict) else "")


class SystemState(ProtectedState):
    workers: list[dict[str, str]] = []
    queues: list[dict[str, str]] = []
    storage: list[dict[str, str]] = []
    rules: list[dict[str, str]] = []
    redis: str = ""
    database: str = ""
    storage_backend: str = ""
    retention_preview: str = ""
    problems: list[str] = []
    generated_at: str = ""
    loaded: bool = False
    _following: bool = False

    def _fill(self, report: dict[str, Any]) -> None:
        problems: list[str] = []
        workers, err = _rows(report["workers"])
        if err:
            problems.append(f"workers: {err}")
        self.workers = [{
            "name": w["name"], "host": w["host"] or "", "state": w["state"],
            "test": w["current_test"] or "—", "uptime": _duration(w["uptime_s"]),
            "heartbeat": _duration(w["last_heartbeat_s"]) + " ago" if w["last_heartbeat_s"] is not None else "—",
            "browser": _mb(w["browser_memory_mb"]),
        } for w in workers]
        queues, err = _rows(report["queues"])
        if err:
            problems.append(f"queues: {err}")
        self.queues = [{k: str(v) for k, v in q.items()} for q in queues]
        redis, database = report["redis"], report["database"]
        self.redis = (f"{_mb(redis['used_mb'])} used, peak {_mb(redis['peak_mb'])}"
                      + (f", limit {_mb(redis['max_mb'])}" if redis.get("max_mb") else "")) if "used_mb" in redis else ""
        if "error" in redis:
            problems.append(f"Redis: {redis['error']}")
        self.database = f"{database['kind']}, {_mb(database['size_mb'])}" if "size_mb" in database else ""
        if "error" in database:
            problems.append(f"database: {database['error']}")
        storage = report["storage"]
        self.storage_backend = "S3-compatible storage" if storage["backend"] == "s3" else "local folder"
        projects, err = _rows(storage["projects"])
        if err:
            problems.append(f"storage: {err}")
        self.storage = [{
            "project": p["project"], "total": _mb(p["total_mb"]),
            "kinds": ", ".join(f"{kind} {v['files']} files / {_mb(v['mb'])}" for kind, v in sorted(p["kinds"].items())),
        } for p in projects]
        retention = report["retention"]
        if "error" in retention:
            problems.append(f"retention: {retention['error']}")
            self.rules, self.retention_preview = [], ""
        else:
            self.rules = [{"kind": r["kind"], "outcome": r["outcome"],
                           "keep": "forever" if r["days"] == 0 else f"{r['days']} days"} for r in retention["rules"]]
            nxt, week = retention["next_pass"], retention["deleted_within_7_days"]
            self.retention_preview = (f"The next cleanup deletes {nxt['runs']} runs, {nxt['results']} test results "
                                      f"and {nxt['artifacts']} artifacts ({_mb(nxt['bytes'] / 1e6)}); artifacts "
                                      f"expiring within 7 days: {week['files']} ({_mb(week['mb'])}).")
        self.problems = problems
        self.generated_at = report["generated_at"].replace("T", " ").replace("+00:00", " UTC")
        self.loaded = True

    def _report(self) -> dict[str, Any]:
        _principal, grant = self._require("system.read")
        return system.report(grant.org_id)

    @rx.event
    def load(self) -> Any:
        try:
            self._fill(self._report())
        except PermissionDenied as exc:
            self.loaded = False
            return toast_error(exc)
        return SystemState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        """Refresh while the page is open (a task started from on_load ends when the tab leaves)."""
        async with self:
            if self._following:
                return
            self._following = True
        try:
            while True:
                async with self:  # authorized again every round: a demoted admin stops seeing it
                    try:
                        _principal, grant = self._require("system.read")
                    except PermissionDenied:
                        return
                report = await asyncio.to_thread(system.report, grant.org_id)
                async with self:
                    self._fill(report)
                await asyncio.sleep(REFRESH_S)
        finally:
            async with self:
                self._following = False
