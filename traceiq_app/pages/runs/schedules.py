# mypy: disable-error-code="operator,call-overload"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/projects/<id>/schedules: cron schedules of a project (in words, next fire times, last run,
missed ticks), with create/edit (preview of the next 5 fire times before saving), pause/resume,
delete and Run now."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav, section
from traceiq_app.components.layout import app_shell
from traceiq_app.pages.runs.runs import status_badge
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.runs.schedules import NONE, SchedulesState

S = SchedulesState


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"fontSize": "0.8em", "fontWeight": 500})


def _field_error(name: str) -> rx.Component:
    return rx.cond(S.errors.contains(name),
                   rx.text(S.errors[name], color_scheme="red", size="1", role="alert",
                           custom_attrs={"data-testid": f"error-{name}"}))


def _input(name: str, label: str, placeholder: str = "", **props: Any) -> rx.Component:
    return rx.vstack(
        _label(label, f"schedule-{name}"),
        rx.input(id=f"schedule-{name}", value=S.form[name], placeholder=placeholder,
                 on_change=lambda v: S.set_field(name, v), aria_invalid=S.errors.contains(name), width="100%",
                 **props),
        _field_error(name),
        spacing="1", width="100%", min_width="0",
    )


def _select(name: str, label: str, options: list[rx.Component]) -> rx.Component:
    return rx.vstack(
        _label(label, f"schedule-{name}"),
        rx.el.select(*options, id=f"schedule-{name}", value=S.form[name],
                     on_change=lambda v: S.set_field(name, v), style={"padding": "0.35em", "width": "100%"}),
        _field_error(name),
        spacing="1", width="100%", min_width="0",
    )


def _form() -> rx.Component:
    grid = rx.grid(
        _input("name", "Name", "Nightly regression", max_length=200),
        _input("cron", "Cron (minute hour day month weekday)", "0 6 * * 1-5"),
        _input("timezone", "Time zone", "Europe/Berlin"),
        _select("suite_id", "Folder", [rx.el.option("all folders", value=NONE),
                                       rx.foreach(S.suites, lambda s: rx.el.option(s["name"], value=s["id"]))]),
        _input("tags", "Tags (comma-separated)", "smoke, checkout"),
        _select("environment_id", "Environment",
                [rx.el.option("no environment", value=NONE),
                 rx.foreach(S.environments, lambda e: rx.el.option(e["name"], value=e["id"]))]),
        _input("browsers", "Browsers", "chromium, firefox"),
        _select("retries", "Retries", [rx.el.option(str(n), value=str(n)) for n in range(6)]),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="3", width="100%",
    )
    preview = rx.vstack(
        rx.text(rx.cond(S.preview_words != "", S.preview_words, "Enter a valid cron expression and time zone"),
                weight="medium", size="2", custom_attrs={"data-testid": "cron-words"}),
        rx.el.ol(rx.foreach(S.preview, lambda t: rx.el.li(rx.text(t, size="2"))),
                 custom_attrs={"data-testid": "next-fire-times", "aria-label": "Next fire times"},
                 style={"margin": "0", "paddingLeft": "1.4em"}),
        spacing="1", width="100%",
    )
    return section(
        "Schedule",
        grid,
        rx.callout(preview, icon="calendar-clock", color_scheme="blue", width="100%"),
        _field_error("form"),
        rx.hstack(
            rx.button(rx.icon("save", size=16), "Save schedule", on_click=S.save),
            rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_edit),
            spacing="2",
        ),
        custom_attrs={"data-testid": "schedule-form"},
    )


def _card(row: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("calendar-clock", size=18),
                rx.heading(row["name"], size="4", trim="both",
                           style={"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"},
                           title=row["name"], min_width="0", flex="1"),
                rx.cond(row["enabled"] != "", rx.badge("active", color_scheme="green", variant="soft"),
                        rx.badge("paused", color_scheme="gray", variant="soft")),
                align="center", width="100%",
            ),
            rx.text(row["words"], size="2", custom_attrs={"data-testid": "schedule-words"}),
            rx.text(rx.code(row["cron"]), " · ", row["target"], size="1", color_scheme="gray",
                    style={"overflowWrap": "anywhere"}),
            rx.text("Next: ", rx.text.strong(row["next"]), rx.cond(row["upcoming"] != "", rx.fragment(" then ", row["upcoming"])),
                    size="2", custom_attrs={"data-testid": "schedule-next"}),
            rx.hstack(
                rx.text("Last run:", size="2"),
                rx.cond(row["last_run_id"] != "",
                        rx.link(status_badge(row["last_status"]), href="/runs/" + row["last_run_id"],
                                aria_label="Open the last run")),
                rx.text(row["last_at"], size="2", color_scheme="gray"),
                spacing="2", align="center", wrap="wrap",
            ),
            rx.cond(row["missed"] != "",
                    rx.callout(row["missed"], icon="triangle-alert", color_scheme="orange", size="1", width="100%")),
            rx.hstack(
                rx.cond(S.can_run, rx.button(rx.icon("play", size=14), "Run now", size="1",
                                             on_click=S.run_now(row["id"]))),
                rx.cond(S.can_write, rx.fragment(
                    rx.button(rx.icon("pencil", size=14), "Edit", size="1", variant="soft", on_click=S.edit(row["id"])),
                    rx.cond(row["enabled"] != "",
                            rx.button(rx.icon("pause", size=14), "Pause", size="1", variant="soft",
                                      on_click=S.toggle(row["id"], False)),
                            rx.button(rx.icon("play", size=14), "Resume", size="1", variant="soft",
                                      on_click=S.toggle(row["id"], True))),
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=14), "Delete", size="1",
                                                          variant="soft", color_scheme="red")),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this schedule?"),
                            rx.alert_dialog.description("Runs it started stay; it will not fire again."),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                                rx.alert_dialog.action(rx.button("Delete", color_scheme="red",
                                                                 on_click=S.delete(row["id"]))),
                                spacing="2", justify="end", margin_top="1em",
                            ),
                        ),
                    ),
                )),
                spacing="2", wrap="wrap",
            ),
            spacing="2", width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "schedule-card"},
    )


@rx.page(route="/projects/[project_id]/schedules", title="Schedules · TraceIQ",
         on_load=[AuthState.require_login, SchedulesState.load])
def schedules_page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.error != "",
            rx.vstack(error_callout(S.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(S.pid, S.project_name, "schedules"),
                rx.hstack(
                    rx.heading("Schedules", size="5"), rx.spacer(),
                    rx.cond(S.can_write & (S.editing == ""),
                            rx.button(rx.icon("plus", size=16), "New schedule", on_click=S.new_schedule)),
                    width="100%", align="center",
                ),
                rx.cond(S.editing != "", _form()),
                rx.cond(
                    S.rows.length() > 0,
                    rx.grid(rx.foreach(S.rows, _card), columns=rx.breakpoints(initial="1", lg="2"), spacing="4",
                            width="100%"),
                    rx.cond(S.loaded & (S.editing == ""), empty_state(
                        "calendar-clock", "No schedules yet",
                        "A schedule runs tests on its own, e.g. every weekday at 06:00 in your time zone. "
                        "Choose \"New schedule\" to create one.",
                    )),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
