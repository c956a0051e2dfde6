"""The Reflex app: pages, the /api routes in front of them, and embedded services at start."""

import reflex as rx

from traceiq_app.api.app import create_api
from traceiq_app.lifecycle import embedded_services
from traceiq_app.pages import home  # noqa: F401 - registers its @rx.page routes

app = rx.App(
    api_transformer=create_api(),
    theme=None,
)
app.register_lifespan_task(embedded_services)
