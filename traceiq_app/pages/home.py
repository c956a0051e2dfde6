"""Landing page. Later issues add projects, runs and the editor."""

import reflex as rx


@rx.page(route="/", title="TraceIQ")
def index() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading("TraceIQ", size="8"),
            rx.text("Self-hosted browser end-to-end testing."),
            rx.callout(
                "No projects yet. Sign in and create your first project to start writing tests.",
                icon="info",
            ),
            rx.link("Service health", href="/api/health"),
            spacing="4",
            padding_y="4em",
        ),
        size="2",
    )
