"""Landing page: what TraceIQ is and where to go next. A signed-in user lands on their projects;
"Create account" shows only while sign-up is possible (TRACEIQ_SIGNUP)."""

import reflex as rx

from traceiq_app.state.accounts.account import HomeState


@rx.page(route="/", title="TraceIQ", on_load=HomeState.on_load)
def index() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading("TraceIQ", size="8"),
            rx.text("Self-hosted browser end-to-end testing."),
            rx.callout(
                rx.cond(
                    HomeState.signup_open,
                    "Sign in to see your projects, or create the first account if this is a new install.",
                    "Sign in to see your projects. New here? Ask an admin of your organization for an invitation.",
                ),
                icon="info",
            ),
            rx.hstack(
                rx.link(rx.button("Sign in"), href="/login"),
                rx.cond(
                    HomeState.signup_open,
                    rx.link(rx.button("Create account", variant="outline"), href="/signup"),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.link("Service health", href="/api/health", size="2", color_scheme="gray"),
            spacing="4",
            padding_y="4em",
        ),
        size="2",
    )
