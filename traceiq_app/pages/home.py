"""Landing page: what TraceIQ is and where to go next (sign in, or straight to the projects)."""

import reflex as rx


@rx.page(route="/", title="TraceIQ")
def index() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading("TraceIQ", size="8"),
            rx.text("Self-hosted browser end-to-end testing."),
            rx.callout(
                "Sign in to see your projects, or create the first account if this is a new install.",
                icon="info",
            ),
            rx.hstack(
                rx.link(rx.button("Open projects"), href="/projects"),
                rx.link(rx.button("Sign in", variant="soft"), href="/login"),
                rx.link(rx.button("Create account", variant="outline"), href="/signup"),
                spacing="3",
            ),
            rx.link("Service health", href="/api/health", size="2", color_scheme="gray"),
            spacing="4",
            padding_y="4em",
        ),
        size="2",
    )
