# mypy: disable-error-code="operator,call-overload"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/settings/system: workers, queues, Redis, database, artifact storage and retention (org owners
and admins), refreshed live."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.observability.retention import RetentionState as R
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


def _field_error(name: str) -> rx.Component:
    return rx.cond(R.errors.contains(name),
                   rx.text(R.errors[name], color_scheme="red", size="1", role="alert",
                           custom_attrs={"data-testid": f"retention-error-{name}"}))


def _number(name: str, label: str, placeholder: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"retention-{name}", style={"fontSize": "0.85em"}),
        rx.input(id=f"retention-{name}", value=R.form[name], placeholder=placeholder, input_mode="numeric",
                 on_change=lambda v: R.set_field(name, v), aria_invalid=R.errors.contains(name), width="100%"),
        _field_error(name),
        spacing="1", width="100%", min_width="0",
    )


def _rules_editor() -> rx.Component:
    rules = rx.cond(
        R.rules.length() > 0,
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ["Applies to", "Keep runs", "Always keep last", "Keep failed runs", ""]])),
            rx.table.body(rx.foreach(R.rules, lambda r: rx.table.row(
                rx.table.cell(rx.text(r["scope"], title=r["scope"], style=_CELL)),
                rx.table.cell(r["keep_days"]), rx.table.cell(r["keep_last"]), rx.table.cell(r["keep_failed_days"]),
                rx.table.cell(rx.button("Remove", size="1", variant="soft", color_scheme="red",
                                        aria_label="Remove the rule for " + r["scope"],
                                        on_click=R.remove(r["id"]))),
            ))),
            width="100%", size="1", id="retention-rules"), overflow_x="auto", width="100%"),
        rx.text("No run retention rules: runs are kept until deleted; only artifacts expire.",
                color_scheme="gray", size="2"),
    )
    form = rx.card(rx.vstack(
        rx.text("Add or replace a rule", weight="medium"),
        rx.grid(
            rx.vstack(
                rx.el.label("Applies to", html_for="retention-scope", style={"fontSize": "0.85em"}),
                rx.el.select(rx.foreach(R.scopes, lambda s: rx.el.option(s["label"], value=s["value"])),
                             id="retention-scope", value=R.form["scope"], on_change=lambda v: R.set_field("scope", v),
                             style={"padding": "0.35em", "width": "100%"}),
                _field_error("scope"), spacing="1", width="100%", min_width="0"),
            _number("keep_days", "Keep runs for (days)", "30"),
            _number("keep_last", "Always keep the last (runs)", "50"),
            _number("keep_failed_days", "Keep failed runs for (days)", "90"),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="3", width="100%",
        ),
        rx.text("A finished run is deleted with its results and artifacts once it is older than the days "
                "(failed runs: their own days) and not among the last runs kept. A project rule replaces "
                "the organization's.", size="1", color_scheme="gray"),
        rx.flex(rx.button("Preview what would be deleted", variant="soft", on_click=R.preview,
                          id="retention-preview-button"),
                rx.button("Save rule", on_click=R.save, id="retention-save"), spacing="2", wrap="wrap"),
        rx.cond(R.preview_text != "", rx.callout(R.preview_text, icon="info", id="retention-rule-preview")),
        spacing="3", width="100%",
    ), width="100%")
    return rx.vstack(rx.heading("Run retention rules", size="3"), rules, form, spacing="3", width="100%")


@rx.page(route="/settings/system", title="System · TraceIQ", on_load=[AuthState.require_login, SystemState.load, R.load_rules])
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
                rx.text("Artifact expiry comes from TRACEIQ_RETENTION_PASSED_DAYS, TRACEIQ_RETENTION_FAILED_DAYS and "
                        "TRACEIQ_RETENTION_RULES (docs/configuration.md).", size="1", color_scheme="gray"),
                _rules_editor(),
                spacing="4", width="100%", min_width="0", max_width="100vw",
            ),
            rx.text("Only organization owners and administrators see the system page.", color_scheme="gray"),
        ),
        title="System",
    )
