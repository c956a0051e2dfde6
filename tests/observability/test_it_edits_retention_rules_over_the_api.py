"""/api/v1/system/retention: an org owner's admin-scope token lists, previews, saves and removes
run retention rules; a bad value answers 422 naming the field; another org's token is refused."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.factories import make_run
from traceiq_app.models import Project, RunStatus, utcnow


def test_it_previews_saves_and_removes_rules(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.api.app import create_api

    project = stack.project(site_url)
    with stack.session() as s:
        row = s.get(Project, project.id)
        for days in (50, 40, 1):
            at = utcnow() - timedelta(days=days)
            make_run(s, row, status=RunStatus.passed, created_at=at, finished_at=at)
        s.commit()
    owner = {"Authorization": f"Bearer {stack.token_for(project, 'alice@acme.test', scopes=('read', 'admin'))}"}
    outsider = {"Authorization": "Bearer " + stack.token_for(project, "charlie@globex.test", member=False,
                                                             scopes=("read", "admin"))}
    org = {"org_id": str(project.org_id)}
    client = TestClient(create_api())

    listed = client.get("/api/v1/system/retention", params=org, headers=owner)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"rules": [], "next_pass": {"runs": 0, "results": 0, "artifacts": 0, "bytes": 0}}

    bad = client.post("/api/v1/system/retention/preview", params=org, headers=owner,
                      json={"keep_days": 30, "keep_failed_days": 3})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "keep_failed_days"
    assert "at least 30" in bad.json()["error"]["message"]

    preview = client.post("/api/v1/system/retention/preview", params=org, headers=owner,
                          json={"scope": str(project.id), "keep_days": 10, "keep_last": 1})
    assert preview.status_code == 200 and preview.json()["runs"] == 2
    saved = client.put("/api/v1/system/retention", params=org, headers=owner,
                       json={"scope": str(project.id), "keep_days": 10, "keep_last": 1})
    assert saved.status_code == 200, saved.text
    rule_id = saved.json()["id"]
    listed = client.get("/api/v1/system/retention", params=org, headers=owner).json()
    assert [r["id"] for r in listed["rules"]] == [rule_id] and listed["next_pass"]["runs"] == 2

    assert client.put("/api/v1/system/retention", params=org, headers=outsider,
                      json={"keep_days": 1}).status_code in (403, 404)
    assert client.delete(f"/api/v1/system/retention/{rule_id}", params=org, headers=outsider).status_code in (403, 404)
    assert client.delete(f"/api/v1/system/retention/{rule_id}", params=org, headers=owner).status_code == 204
    assert client.delete(f"/api/v1/system/retention/{rule_id}", params=org, headers=owner).status_code == 404
