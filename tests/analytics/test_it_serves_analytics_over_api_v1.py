"""The analytics routes of /api/v1 answer the documented shapes, with the dashboard's filters,
the error envelope for bad input (field + problem) and 404 for projects of other orgs; read
tokens see analytics, only editors' write tokens quarantine."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.analytics.history import Outcome
from tests.runs.results_support import token_for


@pytest.fixture
def client() -> Any:
    from traceiq_app.api.app import create_api

    with TestClient(create_api()) as c:
        yield c


def _get(client: Any, token: str, path: str, **params: str) -> Any:
    return client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def test_it_answers_health_clusters_trends_and_compare(history, client) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    for status in ["passed", "failed", "passed"]:
        last = history.run({"Login": Outcome(status, error="Timeout 3000ms exceeded" if status == "failed" else None),
                            "Cart": "passed"})
    token = token_for(p, "bob", ("read",))
    base = f"/api/v1/projects/{p.project.slug}/analytics"
    health = _get(client, token, f"{base}/health", window="10")
    assert health.status_code == 200, health.text
    items = {i["name"]: i for i in health.json()["items"]}
    assert set(items["Login"]) >= {"test_id", "name", "runs", "pass_rate", "flip_rate", "flaky_on_retry_rate",
                                   "health", "median_ms", "p95_ms", "slowing_down", "quarantined", "last_failure"}
    assert items["Login"]["flip_rate"] == 1.0 and items["Login"]["runs"] == 3
    assert _get(client, token, f"{base}/health", branch="nope").json() == {"items": []}
    clusters = _get(client, token, f"{base}/clusters").json()["items"]
    assert len(clusters) == 1 and set(clusters[0]) >= {"id", "signature", "category", "count", "tests", "first_seen",
                                                        "last_seen", "example_error"}
    detail = _get(client, token, f"{base}/clusters/{clusters[0]['id']}").json()
    assert len(detail["occurrences"]) == 1
    trends = _get(client, token, f"{base}/trends", bucket="run").json()
    assert trends["bucket"] == "run" and len(trends["x"]) == 3
    compared = _get(client, token, f"/api/v1/runs/{last.id}/compare").json()
    assert [t["name"] for t in compared["fixed"]] == ["Login"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("health", {"window": "1"}, "window"), ("trends", {"bucket": "week"}, "bucket"),
    ("health", {"suite": "Nope"}, "suite"), ("clusters", {"environment": "prod"}, "environment"),
    ("health", {"since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"}, "until"),
    ("trends", {"since": "yesterday"}, "since")])
def test_it_names_the_bad_filter(history, client, path: str, params: dict[str, str], field: str) -> None:  # type: ignore[no-untyped-def]
    token = token_for(history.p, "bob", ("read",))
    response = _get(client, token, f"/api/v1/projects/{history.p.project.slug}/analytics/{path}", **params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and any(field in d["field"] for d in error["details"]), error


def test_it_quarantines_over_the_api_by_role_and_scope(history, client) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    history.run({"Pay": "failed"})
    path = f"/api/v1/projects/{p.project.id}/quarantine"
    body = {"test": "Pay", "reason": "payment sandbox", "days": 2}
    read_token = token_for(p, "bob", ("read",))
    denied = client.post(path, json=body, headers={"Authorization": f"Bearer {read_token}"})
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    write_token = token_for(p, "bob", ("write",))
    created = client.post(path, json=body, headers={"Authorization": f"Bearer {write_token}"})
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "active" and created.json()["reason"] == "payment sandbox"
    listed = _get(client, read_token, path).json()["items"]
    assert [q["name"] for q in listed] == ["Pay"]
    health = _get(client, read_token, f"/api/v1/projects/{p.project.id}/analytics/health").json()["items"]
    assert health[0]["quarantined"] is True
    bad = client.post(path, json={"test": "Nope", "reason": "x"}, headers={"Authorization": f"Bearer {write_token}"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "test"
    past = client.post(path, json={"test": "Pay", "reason": "x", "expires_at": "2020-01-01T00:00:00Z"},
                       headers={"Authorization": f"Bearer {write_token}"})
    assert past.status_code == 422 and past.json()["error"]["details"][0]["field"] == "expires_at"
    stranger = client.post(path, json={**body, "owner": str(p.charlie.id)},
                           headers={"Authorization": f"Bearer {write_token}"})
    assert stranger.status_code == 422 and stranger.json()["error"]["details"][0]["field"] == "owner"
    lifted = client.delete(path, params={"test": "Pay"}, headers={"Authorization": f"Bearer {write_token}"})
    assert lifted.status_code == 200 and lifted.json() == {"lifted": 1}
    assert _get(client, read_token, path).json()["items"] == []


def test_it_hides_other_orgs_analytics(history, client) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    run = history.run({"A": "passed"})
    charlie = token_for(p, "charlie", ("read",))
    for path in (f"/api/v1/projects/{p.project.id}/analytics/health", f"/api/v1/runs/{run.id}/compare",
                 f"/api/v1/projects/{p.project.id}/quarantine"):
        response = _get(client, charlie, path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", path
