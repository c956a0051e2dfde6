"""The running app (production build, several web processes) counts HTTP requests by route
template and status in /metrics: one series for /api/v1/runs/{run_id}, not one per run."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.observability.test_it_serves_prometheus_metrics import _value

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("app")]


def test_it_times_requests_by_route_template(app_server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=app_server.url, timeout=30) as client:
        before = _value(client.get("/metrics").text, "traceiq_http_request_duration_seconds_count",
                        route="/api/health")
        for _ in range(3):
            client.get("/api/health")
        for _ in range(2):
            client.get(f"/api/v1/runs/{uuid.uuid4()}")
        scraped = client.get("/metrics")
    assert scraped.status_code == 200
    text = scraped.text
    assert _value(text, "traceiq_http_request_duration_seconds_count", route="/api/health") >= before + 3
    assert _value(text, "traceiq_http_request_duration_seconds_count", route="/api/v1/runs/{run_id}", status="401") >= 2
    assert not re.search(r"/api/v1/runs/[0-9a-f]{8}-", text)  # no series per run id
