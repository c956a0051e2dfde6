"""The whole app as `make run` starts it: embedded Redis, supervised workers, health, a page, clean stop."""

from __future__ import annotations

import httpx
import psutil
import pytest

from tests.support.app_server import AppServer
from tests.support.processes import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]
HEALTH_TOKEN = "app-health-token-0123456789"


def _processes_using(path: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(path in part for part in proc.info["cmdline"] or []):
                found.append(proc)
        except psutil.Error:
            pass
    return found


def test_it_comes_up_healthy_on_embedded_defaults_and_stops_cleanly(chromium) -> None:
    server = AppServer(workers=2, env={"TRACEIQ_HEALTH_TOKEN": HEALTH_TOKEN})
    auth = {"Authorization": f"Bearer {HEALTH_TOKEN}"}  # the details are for monitoring only
    try:
        # Both supervised workers register (the second may need a moment longer to import).
        health = wait_until(lambda: (r := httpx.get(server.url + "/api/health", headers=auth, timeout=30)).status_code
                            == 200 and r.json()["components"]["workers"]["detail"] == "2 alive" and r, 60,
                            what="a healthy app")
        components = health.json()["components"]
        assert components["database"]["detail"] == "sqlite"

        page = chromium.new_page()
        page.goto(server.url + "/")
        page.get_by_role("heading", name="TraceIQ").wait_for()
        page.close()

        children = _processes_using(str(server.data_dir))
        assert any(p.name() == "redis-server" for p in children)
    except BaseException:
        print(server.logs())
        raise
    finally:
        server.stop()
    _, alive = psutil.wait_procs(children, timeout=20)
    assert alive == [], f"left behind: {[p.info['cmdline'] for p in alive]}"
    server.cleanup()
