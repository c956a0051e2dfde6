"""/api/v1 runs: start (202 + id/url, CI metadata, names for suites/tests/environment), list
with filters and cursor pages stable under inserts, the run report, cancel, rerun-failed, JUnit
valid against junit-10.xsd, and the SSE stream (resumable, keep-alive comments, ends after
run.finished). Real Redis (jobs really queued); no workers needed."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import xmlschema
from rq import Queue

from tests.api.conftest import assert_error
from tests.factories import make_run, make_test_case, make_test_result
from tests.support.sse import parse_sse
from traceiq_app.models import Run, RunStatus, StepResult, TestResultStatus

XSD = Path(__file__).resolve().parents[1] / "exec" / "junit-10.xsd"


def _cases(api, *names_tags):
    with api.session() as s:
        made = [make_test_case(s, api.p.project, name, tags=tags) for name, tags in names_tags]
        s.commit()
        return made


def test_start_list_get_cancel(api):
    _cases(api, ("home", ["smoke"]), ("cart", ["full"]), ("pay", ["full"]))
    alice, reader = api.token("alice"), api.token("bob", scopes=("read",))
    meta = {"branch": "main", "commit": "abc123", "ci_url": "https://ci.test/job/1", "pr": "42"}
    started = api.client.post("/api/v1/projects/web-shop/runs",
                              json={"tags": ["full"], "parallelism": 1, "metadata": meta}, headers=alice)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.json()["url"].endswith(f"/runs/{run_id}")
    assert Queue("traceiq", connection=api.redis.client()).count == 1  # parallelism 1

    detail = api.client.get(f"/api/v1/runs/{run_id}", headers=reader).json()
    assert detail["status"] == "queued" and detail["metadata"] == meta and detail["totals"]["total"] == 2
    assert sorted(t["name"] for t in detail["tests"]) == ["cart", "pay"]
    assert all(t["attempts"][0]["status"] == "queued" for t in detail["tests"])

    other = api.client.post("/api/v1/projects/web-shop/runs", json={"tests": ["home"], "metadata": {"branch": "dev"}},
                            headers=alice).json()["id"]
    branch_main = api.client.get("/api/v1/projects/web-shop/runs", params={"branch": "main"}, headers=reader).json()
    assert [r["id"] for r in branch_main["items"]] == [run_id]
    assert branch_main["items"][0]["metadata"]["pr"] == "42"
    assert [r["id"] for r in api.client.get("/api/v1/projects/web-shop/runs", params={"trigger": "api"},
                                            headers=reader).json()["items"]] == [other, run_id]

    # Errors: wrong scope, other org, unknown names, invalid body and filters.
    assert_error(api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=reader), 403)
    assert_error(api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=api.token("charlie")), 404)
    assert_error(api.client.get(f"/api/v1/runs/{uuid.uuid4()}", headers=alice), 404)
    err = assert_error(api.client.post("/api/v1/projects/web-shop/runs", json={"suite": "nope", "environment": "x"},
                                       headers=alice), 422)
    assert {d["field"] for d in err["details"]} == {"suite", "environment"}
    err = assert_error(api.client.post("/api/v1/projects/web-shop/runs", json={"retries": 9, "bogus": 1},
                                       headers=alice), 422)
    assert {d["field"] for d in err["details"]} == {"retries", "bogus"}
    assert_error(api.client.get("/api/v1/projects/web-shop/runs", params={"status": "nope"}, headers=alice), 422)
    assert_error(api.client.post("/api/v1/projects/web-shop/runs", json={}), 401)

    cancelled = api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=alice).json()
    assert cancelled["status"] == "cancelled" and cancelled["totals"]["skipped"] == 2
    assert api.client.get("/api/v1/projects/web-shop/runs", params={"status": "cancelled"},
                          headers=reader).json()["items"][0]["id"] == run_id


def test_runs_pages_are_stable_under_inserts(api):
    with api.session() as s:
        for _ in range(5):
            make_run(s, api.p.project, status=RunStatus.passed)
        s.commit()
    alice = api.token("alice")
    first = api.client.get("/api/v1/projects/web-shop/runs", params={"limit": 2}, headers=alice).json()
    with api.session() as s:  # new runs arrive while the client pages through
        make_run(s, api.p.project, status=RunStatus.queued)
        s.commit()
    seen, cursor = [r["id"] for r in first["items"]], first["next_cursor"]
    while cursor:
        page = api.client.get("/api/v1/projects/web-shop/runs", params={"limit": 2, "cursor": cursor},
                              headers=alice).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    assert_error(api.client.get("/api/v1/projects/web-shop/runs", params={"cursor": "garbage"}, headers=alice),
                 400, "bad_cursor")
    assert_error(api.client.get("/api/v1/projects/web-shop/runs", params={"limit": 0}, headers=alice), 422)


def test_junit_and_rerun_failed(api):
    ok, bad = _cases(api, ("ok test", []), ("bad test", []))
    with api.session() as s:
        run = make_run(s, api.p.project, status=RunStatus.failed, total=2, passed=1, failed=1)
        make_test_result(s, run, ok, status=TestResultStatus.passed, duration_ms=1200)
        first = make_test_result(s, run, bad, status=TestResultStatus.failed, error="title was 'x'", failed_step=0)
        s.add(StepResult(test_result_id=first.id, step_index=0, action="goto", status="failed", error="title was 'x'"))
        make_test_result(s, run, bad, status=TestResultStatus.failed, attempt=2, error="still wrong <&>")
        s.commit()
        run_id = run.id
    alice = api.token("alice")
    report = api.client.get(f"/api/v1/runs/{run_id}", headers=alice).json()
    bad_entry = next(t for t in report["tests"] if t["name"] == "bad test")
    assert bad_entry["status"] == "failed" and [a["attempt"] for a in bad_entry["attempts"]] == [1, 2]
    assert bad_entry["attempts"][0]["steps"][0]["error"] == "title was 'x'"

    junit = api.client.get(f"/api/v1/runs/{run_id}/junit", headers=alice)
    assert junit.status_code == 200 and junit.headers["content-type"].startswith("application/xml")
    xmlschema.XMLSchema(str(XSD)).validate(junit.text)
    assert 'failures="1"' in junit.text and "still wrong &lt;&amp;&gt;" in junit.text

    rerun = api.client.post(f"/api/v1/runs/{run_id}/rerun-failed", headers=alice)
    assert rerun.status_code == 202, rerun.text
    with api.session() as s:
        new = s.get(Run, uuid.UUID(rerun.json()["id"]))
        assert new is not None and new.rerun_of_id == run_id and new.total == 1
    assert_error(api.client.post(f"/api/v1/runs/{rerun.json()['id']}/rerun-failed", headers=alice), 409)
    assert_error(api.client.post(f"/api/v1/runs/{run_id}/rerun-failed",
                                 headers=api.token("bob", scopes=("read",))), 403)


def test_events_resume_keep_alive_and_end(api, monkeypatch):
    from traceiq_app.settings import reset_settings_cache

    monkeypatch.setenv("TRACEIQ_SSE_PING_SECONDS", "0.3")
    reset_settings_cache()
    _cases(api, ("home", []))
    alice = api.token("alice")
    run_id = api.client.post("/api/v1/projects/web-shop/runs", json={}, headers=alice).json()["id"]

    def cancel_later() -> None:
        time.sleep(2.0)
        api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=alice)

    threading.Thread(target=cancel_later, daemon=True).start()
    started = time.monotonic()
    body = api.client.get(f"/api/v1/runs/{run_id}/events", headers=alice)
    assert body.headers["content-type"].startswith("text/event-stream")
    events, comments = parse_sse(body.text)
    assert time.monotonic() - started >= 1.5  # it stayed open while the run was queued
    assert [e["event"] for e in events] == ["run.queued", "run.finished"]
    assert "ping" in " ".join(comments)  # keep-alive comments while nothing happened
    assert events[-1]["data"]["status"] == "cancelled"

    # Resume after the first event: only what came after it.
    resumed, _ = parse_sse(api.client.get(f"/api/v1/runs/{run_id}/events",
                                          headers={**alice, "Last-Event-ID": events[0]["id"]}).text)
    assert [e["event"] for e in resumed] == ["run.finished"]
    # Stream gone (expired): the run's end still comes, from the database.
    api.redis.client().flushall()
    replay, _ = parse_sse(api.client.get(f"/api/v1/runs/{run_id}/events", headers=alice).text)
    assert [e["event"] for e in replay] == ["run.finished"] and replay[0]["data"]["replayed_from"] == "database"
    assert_error(api.client.get(f"/api/v1/runs/{run_id}/events", headers={**alice, "Last-Event-ID": "x"}), 422)
    assert_error(api.client.get(f"/api/v1/runs/{run_id}/events", headers=api.token("charlie")), 404)

