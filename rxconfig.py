"""Reflex configuration. Values come from TraceIQ's typed settings (traceiq_app/settings.py)."""

import os

import reflex as rx

from traceiq_app.processes.same_origin import SameOriginPlugin
from traceiq_app.settings import get_settings

_settings = get_settings()
_origin = _settings.public_url or f"http://localhost:{_settings.port}"
# The web server's process count: Reflex's Granian backend reads GRANIAN_WORKERS.
if _settings.web_processes_effective:
    os.environ["GRANIAN_WORKERS"] = str(_settings.web_processes_effective)

config = rx.Config(
    app_name="traceiq_app",
    # No db_url: the database and its migrations are ours (traceiq_app/db.py, alembic/);
    # Reflex's own schema check would run its alembic against our tables.
    # Reflex keeps per-tab state in Redis only when the operator gave us a shared Redis, so that
    # several web processes can serve. The embedded Redis is ours alone (jobs + streams).
    redis_url=_settings.redis_url,
    frontend_port=_settings.port,
    backend_port=_settings.port,
    backend_host=_settings.web_bind,  # TRACEIQ_WEB_BIND (pages, websocket and /api share the port)
    deploy_url=_origin,
    api_url=_origin,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=[_origin, f"http://127.0.0.1:{_settings.port}"],
    plugins=[
        # Solid panels: translucent ones blur what is behind them, and re-blurring a tall card on
        # every live update cost ~15-20 ms of compositing per frame (bench/bench_live.py).
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium", panel_background="solid")),
        # Websocket and upload URLs on the page's own origin (any host name or port; see the module).
        SameOriginPlugin(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    frontend_packages=["marked"],
)
