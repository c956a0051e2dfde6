"""/api/v1 manual runs: the project's list with progress and open/closed (paged, newest first,
?status=), one run with its tests, steps and outcomes; auth, scope and other-org errors in the
API's error envelope."""

from __future__ import annotations

import uuid

from tests.api.conftest import assert_error
from tests.manual.manual_support import seed_run
from tests.support.webapp import principal_of
from traceiq_app.services.manual import lifecycle, runs


def test_manual_runs_over_api_v1(api) -> None:  # type: ignore[no-untyped-def]
    pid, alice = api.p.project.id, principal_of(api.p.alice)
    first = seed_run(pid, alice, api.p.bob.id)
    view = runs.run_view(pid, first.id)
    checkout = runs.test_steps(pid, first.id, view.tests[0].id)
    runs.record_step(pid, first.id, checkout[0].id, alice, status="failed", actual="Blank page",
                     expected_version=0)
    for step in runs.test_steps(pid, first.id, view.tests[1].id):
        runs.record_step(pid, first.id, step.id, alice, status="passed", expected_version=0)
    lifecycle.close_run(pid, first.id, alice)
    second = seed_run(pid, alice)

    reader = api.token("bob", scopes=("read",))
    listed = api.client.get("/api/v1/projects/web-shop/manual-runs", headers=reader)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [r["id"] for r in body["items"]] == [str(second.id), str(first.id)] and body["next_cursor"] is None
    closed = body["items"][1]
    assert (closed["status"], closed["closed_by"], closed["complete"], closed["total"], closed["percent"]) == (
        "closed", "alice@acme.test", 2, 2, 100)
    assert closed["url"].endswith(f"/manual-runs/{first.id}") and closed["url"].startswith("http")
    assert (body["items"][0]["status"], body["items"][0]["percent"]) == ("open", 0)

    paged = api.client.get("/api/v1/projects/web-shop/manual-runs?limit=1", headers=reader).json()
    assert [r["id"] for r in paged["items"]] == [str(second.id)] and paged["next_cursor"]
    rest = api.client.get(f"/api/v1/projects/web-shop/manual-runs?limit=1&cursor={paged['next_cursor']}",
                          headers=reader).json()
    assert [r["id"] for r in rest["items"]] == [str(first.id)] and rest["next_cursor"] is None
    only_open = api.client.get("/api/v1/projects/web-shop/manual-runs?status=open", headers=reader).json()
    assert [r["id"] for r in only_open["items"]] == [str(second.id)]

    detail = api.client.get(f"/api/v1/manual-runs/{first.id}", headers=reader)
    assert detail.status_code == 200, detail.text
    run = detail.json()
    assert (run["name"], run["environment"], run["build_label"], run["status"]) == (
        "Release 2.4", "staging", "2.4.0-rc1", "closed")
    tests = {t["name"]: t for t in run["tests"]}
    assert (tests["Checkout by card"]["outcome"], tests["Sign in"]["outcome"]) == ("failed", "passed")
    assert tests["Sign in"]["assignee"] == "bob@acme.test"
    step = tests["Checkout by card"]["steps"][0]
    assert (step["index"], step["action"], step["status"], step["actual"], step["by"]) == (
        0, "Open the shop", "failed", "Blank page", "alice@acme.test")
    assert [s["status"] for s in tests["Checkout by card"]["steps"][1:]] == ["untested", "untested"]

    # Errors: no token, another organization, unknown run, bad cursor, bad status.
    assert_error(api.client.get("/api/v1/projects/web-shop/manual-runs"), 401, "unauthorized")
    charlie = api.token("charlie")
    assert_error(api.client.get("/api/v1/projects/web-shop/manual-runs", headers=charlie), 404, "not_found")
    assert_error(api.client.get(f"/api/v1/manual-runs/{first.id}", headers=charlie), 404, "not_found")
    assert_error(api.client.get(f"/api/v1/manual-runs/{uuid.uuid4()}", headers=reader), 404, "not_found")
    assert_error(api.client.get("/api/v1/projects/web-shop/manual-runs?cursor=nope", headers=reader), 400)
    assert_error(api.client.get("/api/v1/projects/web-shop/manual-runs?status=done", headers=reader), 422)
