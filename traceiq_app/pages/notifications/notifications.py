# mypy: disable-error-code="operator,call-overload"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/projects/<id>/notifications: channels (webhook, Slack, Teams, e-mail) with "Send test event",
rules (events + filters), and the delivery log with Redeliver."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav, section
from traceiq_app.components.layout import app_shell
from traceiq_app.services.notifications.channels import EVENT_TYPES, KIND_LABELS
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.notifications.notifications import NotificationsState

N = NotificationsState
ELLIPSIS = {"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"}
LOG_COLORS = {"delivered": "green", "failed": "red", "retrying": "orange", "queued": "gray", "sending": "blue"}


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"fontSize": "0.8em", "fontWeight": 500})


def _err(errors: Any, name: str, testid: str) -> rx.Component:
    return rx.cond(errors.contains(name), rx.text(errors[name], color_scheme="red", size="1", role="alert",
                                                  custom_attrs={"data-testid": testid}))


def _secret_callout() -> rx.Component:
    return rx.cond(
        N.new_secret != "",
        rx.callout(
            rx.vstack(
                rx.text("Signing secret — copy it now, it will not be shown again:", weight="medium"),
                rx.code(N.new_secret, style={"overflowWrap": "anywhere"}, custom_attrs={"data-testid": "new-secret"}),
                rx.hstack(
                    rx.button(rx.icon("copy", size=14), "Copy", size="1", variant="soft",
                              on_click=rx.set_clipboard(N.new_secret)),
                    rx.button("Done", size="1", variant="soft", color_scheme="gray", on_click=N.dismiss_secret),
                    spacing="2",
                ),
                spacing="2", width="100%",
            ),
            icon="key-round", color_scheme="amber", width="100%",
        ),
    )


def _channel_card(c: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(c["kind_label"], variant="soft"),
                rx.text(c["name"], weight="bold", style=ELLIPSIS, title=c["name"], min_width="0", flex="1"),
                rx.cond(c["enabled"] != "", rx.badge("on", color_scheme="green", variant="soft"),
                        rx.badge("off", color_scheme="gray", variant="soft")),
                align="center", width="100%",
            ),
            rx.text(c["target"], size="1", color_scheme="gray", style=ELLIPSIS, title=c["target"], width="100%"),
            rx.cond(c["disabled_reason"] != "", rx.text(c["disabled_reason"], size="1", color_scheme="orange")),
            rx.cond(N.can_write, rx.hstack(
                rx.button(rx.icon("send", size=14), "Send test event", size="1", on_click=N.send_test(c["id"])),
                rx.cond(c["enabled"] != "",
                        rx.button("Disable", size="1", variant="soft", on_click=N.toggle_channel(c["id"], False)),
                        rx.button("Enable", size="1", variant="soft", on_click=N.toggle_channel(c["id"], True))),
                rx.cond(c["kind"] == "webhook",
                        rx.button(rx.icon("rotate-cw", size=14), "Rotate secret", size="1", variant="soft",
                                  on_click=N.rotate_secret(c["id"]))),
                rx.button(rx.icon("trash-2", size=14), "Delete", size="1", variant="soft", color_scheme="red",
                          on_click=N.delete_channel(c["id"])),
                spacing="2", wrap="wrap",
            )),
            spacing="2", width="100%",
        ),
        width="100%", custom_attrs={"data-testid": "channel-card"},
    )


def _new_channel() -> rx.Component:
    return section(
        "New channel",
        rx.form(
            rx.vstack(
                _label("Kind", "channel-kind"),
                rx.el.select(*[rx.el.option(label, value=kind) for kind, label in KIND_LABELS.items()],
                             id="channel-kind", name="kind", value=N.new_kind, on_change=N.choose_kind,
                             style={"padding": "0.35em", "maxWidth": "100%"}),
                _label("Name", "channel-name"),
                rx.input(id="channel-name", name="name", placeholder="e.g. QA Slack", width="100%", max_length=200),
                _err(N.channel_errors, "name", "error-name"),
                rx.cond(
                    N.new_kind == "email",
                    rx.vstack(_label("Recipients (comma-separated)", "channel-emails"),
                              rx.input(id="channel-emails", name="emails", placeholder="qa@example.com, lead@example.com",
                                       width="100%"),
                              _err(N.channel_errors, "emails", "error-emails"), spacing="1", width="100%"),
                    rx.vstack(_label("Webhook URL", "channel-url"),
                              rx.input(id="channel-url", name="url", placeholder="https://…", width="100%", type="url"),
                              _err(N.channel_errors, "url", "error-url"), spacing="1", width="100%"),
                ),
                rx.button(rx.icon("plus", size=16), "Create channel", type="submit"),
                spacing="2", width="100%",
            ),
            on_submit=N.create_channel, reset_on_submit=False, width="100%",
        ),
    )


def _rule_row(r: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("bell", size=16), rx.text(r["events"], weight="medium", style={"overflowWrap": "anywhere"}),
                      align="center"),
            rx.text("to ", rx.text.strong(r["channel"]), " · ", r["filters"],
                    rx.cond(r["only_on_change"] != "", " · only when the outcome changed", ""), size="2",
                    style={"overflowWrap": "anywhere"}),
            rx.cond(N.can_write, rx.hstack(
                rx.cond(r["enabled"] != "",
                        rx.button("Pause", size="1", variant="soft", on_click=N.toggle_rule(r["id"], False)),
                        rx.button("Resume", size="1", variant="soft", on_click=N.toggle_rule(r["id"], True))),
                rx.button(rx.icon("trash-2", size=14), "Delete", size="1", variant="soft", color_scheme="red",
                          on_click=N.delete_rule(r["id"])),
                spacing="2",
            )),
            spacing="1", width="100%",
        ),
        width="100%", custom_attrs={"data-testid": "rule-card"},
    )


def _new_rule() -> rx.Component:
    return section(
        "New rule",
        rx.form(
            rx.vstack(
                _label("Channel", "rule-channel"),
                rx.el.select(rx.el.option("choose a channel", value=""),
                             rx.foreach(N.channel_rows, lambda c: rx.el.option(c["name"], value=c["id"])),
                             id="rule-channel", name="channel_id", style={"padding": "0.35em", "maxWidth": "100%"}),
                _err(N.rule_errors, "channel_id", "error-channel"),
                rx.text("Events", size="1", weight="medium"),
                rx.flex(*[rx.el.label(rx.el.input(type="checkbox", name=f"event:{e}"), " ", e,
                                      style={"fontSize": "0.85em", "marginRight": "1em"}) for e in EVENT_TYPES],
                        wrap="wrap", gap="1"),
                _err(N.rule_errors, "event_types", "error-events"),
                rx.grid(
                    rx.input(name="branches", placeholder="branches, e.g. main", aria_label="Branches"),
                    rx.input(name="tags", placeholder="tags, e.g. smoke", aria_label="Tags"),
                    rx.input(name="triggers", placeholder="triggers: schedule, ui, api…", aria_label="Triggers"),
                    rx.el.select(rx.el.option("any folder", value=""),
                                 rx.foreach(N.suites, lambda x: rx.el.option(x["name"], value=x["id"])),
                                 name="suite_ids", aria_label="Folder", style={"padding": "0.35em", "maxWidth": "100%"}),
                    rx.el.select(rx.el.option("any environment", value=""),
                                 rx.foreach(N.environments, lambda x: rx.el.option(x["name"], value=x["id"])),
                                 name="environment_ids", aria_label="Environment",
                                 style={"padding": "0.35em", "maxWidth": "100%"}),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="2", width="100%",
                ),
                _err(N.rule_errors, "filters", "error-filters"),
                rx.el.label(rx.el.input(type="checkbox", name="only_on_change"), " Only when the outcome changed",
                            style={"fontSize": "0.85em"}),
                rx.button(rx.icon("plus", size=16), "Create rule", type="submit"),
                spacing="2", width="100%",
            ),
            on_submit=N.create_rule, reset_on_submit=True, width="100%",
        ),
    )


def _log_row(d: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(d["at"], size="1")),
        rx.table.cell(rx.text(d["event"], size="2")),
        rx.table.cell(rx.text(d["channel"], size="2", style=ELLIPSIS, max_width="12em", title=d["channel"])),
        rx.table.cell(rx.badge(d["status"], color_scheme=rx.match(d["status"], *LOG_COLORS.items(), "gray"),
                               variant="soft")),
        rx.table.cell(d["attempts"]),
        rx.table.cell(d["code"]),
        rx.table.cell(d["ms"]),
        rx.table.cell(rx.text(d["excerpt"], size="1", style=ELLIPSIS, max_width="16em", title=d["excerpt"])),
        rx.table.cell(rx.cond(N.can_write, rx.button("Redeliver", size="1", variant="soft",
                                                     on_click=N.redeliver(d["id"])))),
        custom_attrs={"data-testid": "delivery-row"},
    )


def _log() -> rx.Component:
    return section(
        "Delivery log",
        rx.hstack(rx.text("The last 50 deliveries, newest first.", size="2", color_scheme="gray"), rx.spacer(),
                  rx.button(rx.icon("refresh-cw", size=14), "Refresh", size="1", variant="soft",
                            on_click=N.refresh_log), width="100%", align="center"),
        rx.cond(
            N.log_rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                    "When (UTC)", "Event", "Channel", "Status", "Attempts", "Code", "Time", "Response", "")])),
                rx.table.body(rx.foreach(N.log_rows, _log_row)),
                size="1", width="100%",
            ), overflow_x="auto", width="100%"),
            rx.text("Nothing sent yet. Use \"Send test event\" on a channel to try it.", size="2",
                    color_scheme="gray"),
        ),
    )


def _my_events() -> rx.Component:
    return section(
        "In the app, for me",
        rx.text("What the bell in the top bar shows you for this project (only you).", size="2",
                color_scheme="gray"),
        rx.flex(*[rx.el.label(rx.checkbox(checked=N.my_events.contains(e), on_change=lambda on, e=e: N.toggle_my_event(e, on),
                                          aria_label=f"In the app: {e}"), " ", e,
                              style={"fontSize": "0.85em", "marginRight": "1em", "display": "inline-flex",
                                     "alignItems": "center", "gap": "0.3em"})
                  for e in EVENT_TYPES], wrap="wrap", gap="2"),
    )


@rx.page(route="/projects/[project_id]/notifications", title="Notifications · TraceIQ",
         on_load=[AuthState.require_login, NotificationsState.load])
def notifications_page() -> rx.Component:
    return app_shell(
        rx.cond(
            N.error != "",
            rx.vstack(error_callout(N.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(N.pid, N.project_name, "notifications"),
                _secret_callout(),
                rx.heading("Channels", size="5"),
                rx.cond(
                    N.channel_rows.length() > 0,
                    rx.grid(rx.foreach(N.channel_rows, _channel_card), columns=rx.breakpoints(initial="1", md="2"),
                            spacing="3", width="100%"),
                    rx.cond(N.loaded, empty_state(
                        "bell", "No channels yet",
                        "A channel is where notifications go: a webhook (signed), Slack, Microsoft Teams or e-mail. "
                        "Create one, then add a rule that says which events it gets.")),
                ),
                rx.cond(N.can_write, _new_channel()),
                rx.heading("Rules", size="5"),
                rx.cond(N.rule_rows.length() > 0,
                        rx.vstack(rx.foreach(N.rule_rows, _rule_row), spacing="2", width="100%"),
                        rx.text("No rules: channels get only test events.", size="2", color_scheme="gray")),
                rx.cond(N.can_write & (N.channel_rows.length() > 0), _new_rule()),
                _log(),
                _my_events(),
                spacing="4", width="100%",
            ),
        ),
    )
