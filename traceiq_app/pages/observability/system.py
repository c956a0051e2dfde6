"""/settings/system: workers, queues, Redis, database, artifact storage and retention (org owners
and admins), refreshed live."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.observability.system import SystemState

_CELL = {"display": "block", "maxWidth": "22em", "overflow": "hidden", "textOverflow": "ellipsis",
         "whiteSpace": "nowrap"}


def _table(headers: list[str], rows: Any, cells: list[str], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
                    *[rx.table.cell(rx.text(r[c], title=r[c], style=_CELL)) for c in cells]))),
                width="100%", size="1",
            ),
            overflow_x="auto", width="100%", max_width="100%",
        ),
        rx.text(empty, color_scheme="gray"),
    )


def _fact(label: str, value: Any) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, weight="medium"),
                             spacing="1"), min_width="12em")


@rx.page(route="/settings/system", title="System · TraceIQ", on_load=[AuthState.require_login, SystemState.load])
def system_page() -> rx.Component:
    return app_shell(
        rx.cond(
            SystemState.loaded,
            rx.vstack(
                rx.text("Updated ", SystemState.generated_at, " · refreshes every few seconds", size="1",
                        color_scheme="gray", id="system-updated"),
                rx.foreach(SystemState.problems, lambda p: rx.callout(p, color_scheme="amber", icon="triangle_alert")),
                rx.flex(_fact("Redis memory", SystemState.redis), _fact("Database", SystemState.database),
                        _fact("Artifacts", SystemState.storage_backend), wrap="wrap", spacing="3"),
                rx.heading("Workers", size="4"),
                _table(["Worker", "Host", "State", "Current test", "Up", "Heartbeat", "Browser memory"],
                       SystemState.workers, ["name", "host", "state", "test", "uptime", "heartbeat", "browser"],
                       "No worker is running: start `traceiq worker` (or set TRACEIQ_WORKERS on the web node)."),
                rx.heading("Queues", size="4"),
                _table(["Queue", "Waiting", "Running", "Failed jobs"], SystemState.queues,
                       ["name", "queued", "running", "failed"], "No queue information (is Redis up?)."),
                rx.heading("Artifact storage by project", size="4"),
                _table(["Project", "Total", "By kind"], SystemState.storage, ["project", "total", "kinds"],
                       "No artifacts stored yet: runs keep screenshots, traces and videos here."),
                rx.heading("Retention", size="4"),
                rx.text(SystemState.retention_preview, id="retention-preview"),
                _table(["Kind", "Outcome", "Kept"], SystemState.rules, ["kind", "outcome", "keep"], ""),
                rx.text("Rules come from TRACEIQ_RETENTION_PASSED_DAYS, TRACEIQ_RETENTION_FAILED_DAYS and "
                        "TRACEIQ_RETENTION_RULES (docs/configuration.md).", size="1", color_scheme="gray"),
                spacing="4", width="100%", min_width="0", max_width="100vw",
            ),
            rx.text("Only organization owners and administrators see the system page.", color_scheme="gray"),
        ),
        title="System",
    )
