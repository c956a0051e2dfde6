"""The Reflex app: pages, the /api routes in front of them, and embedded services at start."""

import reflex as rx

import traceiq_app.pages  # noqa: F401 - imports every page module; each registers its routes
from traceiq_app.api.app import create_api
from traceiq_app.processes.same_origin import allow_same_origin_sockets
from traceiq_app.processes.web_lifespan import embedded_services
from traceiq_app.state.accounts.auth import AuthGuard

app = rx.App(
    api_transformer=create_api(),
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    stylesheets=["/tiq.css"],  # assets/tiq.css: phone card layout of tables
)
# Drops events of protected states from signed-out clients (see traceiq_app/state/accounts/auth.py).
app.add_middleware(AuthGuard())
app.register_lifespan_task(embedded_services)
# Websockets from the origin the browser used (any host name), never from other sites.
allow_same_origin_sockets(app)
