# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/projects/<id>/environments: base URL, variables and write-only secrets per environment."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import (
    empty_state,
    error_callout,
    field_error,
    invalid_props,
    project_nav,
    section,
)
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.catalog.environments import EnvironmentsState


def _label(text: str, html_for: Any) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"fontSize": "0.8em", "fontWeight": 500})


def _marked(form: Any, field: str) -> dict[str, Any]:
    return invalid_props((EnvironmentsState.form_env == form) & (EnvironmentsState.form_field == field))


def _env_card(env: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("server", size=18), rx.heading(env["name"], size="4"), rx.spacer(),
                      rx.cond(EnvironmentsState.can_write,
                              rx.button(rx.icon("trash-2", size=14), "Delete", size="1", variant="soft", color_scheme="red",
                                        on_click=EnvironmentsState.delete_environment(env["id"]))),
                      align="center", width="100%"),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="env_id", value=env["id"]),
                    _label("Base URL", "base-" + env["id"]),
                    rx.input(id="base-" + env["id"], name="base_url", default_value=env["base_url"],
                             placeholder="https://staging.example.com", width="100%", read_only=~EnvironmentsState.can_write,
                             **_marked(env["id"], "base_url")),
                    _label("Variables (NAME=value, one per line)", "vars-" + env["id"]),
                    rx.text_area(id="vars-" + env["id"], name="variables", default_value=env["variables"], rows="3",
                                 width="100%", font_family="var(--code-font-family)",
                                 read_only=~EnvironmentsState.can_write, **_marked(env["id"], "variables")),
                    field_error(EnvironmentsState.form_error, EnvironmentsState.form_env == env["id"]),
                    rx.cond(EnvironmentsState.can_write, rx.button("Save", type="submit", size="2")),
                    spacing="2",
                    width="100%",
                ),
                on_submit=EnvironmentsState.update_environment,
                width="100%",
            ),
            rx.divider(),
            rx.hstack(rx.icon("lock", size=14), rx.text("Secrets: ", env["secret_names"], size="2"), align="center",
                      custom_attrs={"data-testid": "secret-names"}),
            rx.text("Secret values are encrypted and never shown again after saving; they are masked in run logs.",
                    size="1", color_scheme="gray"),
            rx.cond(
                EnvironmentsState.can_write,
                rx.form(
                    rx.hstack(
                        rx.el.input(type="hidden", name="env_id", value=env["id"]),
                        rx.input(name="secret_name", id="secret-name-" + env["id"], placeholder="NAME",
                                 aria_label="Secret name", width="10em"),
                        rx.input(name="secret_value", id="secret-value-" + env["id"], type="password",
                                 placeholder="value", aria_label="Secret value", auto_complete="new-password",
                                 width="100%"),
                        rx.button(rx.icon("key-round", size=14), "Set secret", type="submit", size="2", variant="soft"),
                        width="100%",
                        spacing="2",
                    ),
                    on_submit=EnvironmentsState.set_secret,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _create() -> rx.Component:
    return section(
        "New environment",
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.input(name="name", id="new-env-name", placeholder="Name, e.g. staging", required=True,
                             aria_label="Environment name", width=["100%", "14em"], max_length=100,
                             **_marked("new", "name")),
                    rx.input(name="base_url", id="new-env-base_url", placeholder="Base URL, e.g. https://staging.example.com",
                             aria_label="Base URL", width="100%", **_marked("new", "base_url")),
                    width="100%",
                    spacing="2",
                    flex_direction=["column", "row"],
                ),
                rx.text_area(name="variables", id="new-env-variables", placeholder="Variables: NAME=value, one per line",
                             rows="2", width="100%", aria_label="Variables", **_marked("new", "variables")),
                rx.text_area(name="secrets", id="new-env-secrets", placeholder="Secrets: NAME=value, one per line (write-only)",
                             rows="2", width="100%", aria_label="Secrets", **_marked("new", "secrets")),
                field_error(EnvironmentsState.form_error, EnvironmentsState.form_env == "new"),
                rx.button(rx.icon("plus", size=16), "Create environment", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=EnvironmentsState.create_environment,
            width="100%",
        ),
    )


@rx.page(route="/projects/[project_id]/environments", title="Environments · TraceIQ",
         on_load=[AuthState.require_login, EnvironmentsState.load])
def environments_page() -> rx.Component:
    return app_shell(
        rx.cond(
            EnvironmentsState.error != "",
            rx.vstack(error_callout(EnvironmentsState.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(EnvironmentsState.pid, EnvironmentsState.project_name, "environments"),
                rx.cond(
                    EnvironmentsState.envs.length() > 0,
                    rx.grid(rx.foreach(EnvironmentsState.envs, _env_card),
                            columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
                    rx.cond(EnvironmentsState.loaded, empty_state(
                        "server", "No environments yet",
                        "An environment is where tests run: a base URL (staging, production…), variables "
                        "tests use as ${NAME}, and secrets such as passwords that are never shown again.",
                    )),
                ),
                rx.cond(EnvironmentsState.can_write, _create()),
                spacing="4",
                width="100%",
            ),
        ),
    )
