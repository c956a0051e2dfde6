"""/api/v1 catalog routes: projects (by id or slug), suites, tests with native definitions and
versions, environments (secrets write-only) — success, validation, auth and other-org cases."""

from __future__ import annotations

import uuid

from tests.api.conftest import NAV, assert_error, native


def test_projects_by_id_or_slug(api):
    alice, reader = api.token("alice"), api.token("bob", scopes=("read",))
    listed = api.client.get("/api/v1/projects", headers=alice).json()
    assert [p["slug"] for p in listed["items"]] == ["web-shop"] and listed["next_cursor"] is None
    by_slug = api.client.get("/api/v1/projects/web-shop", headers=alice).json()
    assert by_slug["id"] == str(api.p.project.id) and by_slug["tests"] == 0
    assert api.client.get(f"/api/v1/projects/{api.p.project.id}", headers=reader).json()["slug"] == "web-shop"

    created = api.client.post("/api/v1/projects", json={"name": "Mobile app"}, headers=alice)
    assert created.status_code == 201 and created.json()["slug"] == "mobile-app"
    renamed = api.client.patch("/api/v1/projects/mobile-app", json={"name": "Mobile", "slug": "mobile"}, headers=alice)
    assert renamed.json()["slug"] == "mobile"
    assert_error(api.client.delete("/api/v1/projects/mobile", headers=alice), 403)  # needs the admin scope
    assert api.client.delete("/api/v1/projects/mobile", headers=api.token("alice", scopes=("admin",))).status_code == 204
    assert_error(api.client.get("/api/v1/projects/mobile", headers=alice), 404, "not_found")


def test_project_errors(api):
    alice, charlie = api.token("alice"), api.token("charlie")
    assert_error(api.client.get("/api/v1/projects/web-shop"), 401, "unauthorized")
    assert_error(api.client.get("/api/v1/projects/web-shop", headers={"Authorization": "Bearer tiq_nope"}), 401)
    # Another organization's project: by slug and by id, not found (never "forbidden").
    assert_error(api.client.get("/api/v1/projects/web-shop", headers=charlie), 404)
    assert_error(api.client.get(f"/api/v1/projects/{api.p.project.id}", headers=charlie), 404)
    assert_error(api.client.get(f"/api/v1/projects/{uuid.uuid4()}", headers=alice), 404)
    # Wrong scope: a read token cannot rename.
    read_only = api.token("alice", scopes=("read",))
    assert_error(api.client.patch("/api/v1/projects/web-shop", json={"name": "x"}, headers=read_only), 403, "forbidden")
    # Validation: field + problem, the input is not echoed.
    err = assert_error(api.client.post("/api/v1/projects", json={"name": "", "slug": "Bad Slug!"}, headers=alice),
                       422, "validation_error")
    assert {d["field"] for d in err["details"]} == {"name", "slug"}
    assert "Bad Slug!" not in str(err)
    assert_error(api.client.get("/api/v1/nothing-here", headers=alice), 404)


def test_suites_tests_and_versions(api):
    alice, bob_read = api.token("alice"), api.token("bob", scopes=("read",))
    suite = api.client.post("/api/v1/projects/web-shop/suites", json={"name": "Checkout"}, headers=alice)
    assert suite.status_code == 201
    sid = suite.json()["id"]
    child = api.client.post("/api/v1/projects/web-shop/suites", json={"name": "Payment", "parent_id": sid},
                            headers=alice).json()
    assert api.client.patch(f"/api/v1/suites/{child['id']}", json={"name": "Pay"}, headers=alice).json()["name"] == "Pay"

    body = {"definition": native("Buy", tags=["smoke"], description="happy path"), "suite_id": child["id"]}
    created = api.client.post("/api/v1/projects/web-shop/tests", json=body, headers=alice)
    assert created.status_code == 201, created.text
    test = created.json()
    assert test["version"] == 1 and test["definition"]["steps"] == [NAV] and test["definition"]["tags"] == ["smoke"]

    changed = {"definition": native("Buy", steps=[NAV, {"action": "reload"}], tags=["smoke"]), "suite_id": child["id"]}
    put = api.client.put(f"/api/v1/tests/{test['id']}", json=changed, headers=alice).json()
    assert put["version"] == 2 and len(put["definition"]["steps"]) == 2
    versions = api.client.get(f"/api/v1/tests/{test['id']}/versions", params={"limit": 1}, headers=bob_read).json()
    assert [v["version"] for v in versions["items"]] == [2] and versions["next_cursor"]
    older = api.client.get(f"/api/v1/tests/{test['id']}/versions",
                           params={"limit": 1, "cursor": versions["next_cursor"]}, headers=bob_read).json()
    assert [v["version"] for v in older["items"]] == [1] and older["next_cursor"] is None

    # Filters: suite (with sub-suites, by name), tag, text.
    api.client.post("/api/v1/projects/web-shop/tests", json={"definition": native("Browse")}, headers=alice)
    def names(**params):
        return [t["definition"]["name"] for t in api.client.get("/api/v1/projects/web-shop/tests", params=params,
                                                                headers=bob_read).json()["items"]]
    assert names() == ["Buy", "Browse"]
    assert names(suite="Checkout") == ["Buy"] and names(tag="smoke") == ["Buy"] and names(text="brow") == ["Browse"]

    # Located validation problems; wrong scope; delete.
    bad = {"definition": native("Bad", steps=[NAV, {"action": "click"}])}
    err = assert_error(api.client.post("/api/v1/projects/web-shop/tests", json=bad, headers=alice), 422)
    assert err["details"] and err["details"][0]["field"].startswith("steps[1]")
    assert_error(api.client.put(f"/api/v1/tests/{test['id']}", json=changed, headers=bob_read), 403)
    assert_error(api.client.get(f"/api/v1/tests/{test['id']}", headers=api.token("charlie")), 404)
    assert api.client.delete(f"/api/v1/tests/{test['id']}", headers=alice).status_code == 204
    assert_error(api.client.get(f"/api/v1/tests/{test['id']}", headers=alice), 404)
    assert api.client.delete(f"/api/v1/suites/{sid}", headers=alice).status_code == 204
    assert_error(api.client.get(f"/api/v1/suites/{sid}", headers=alice), 404)


def test_environments_keep_secrets_write_only(api):
    alice = api.token("alice")
    body = {"name": "staging", "base_url": "https://staging.test", "variables": {"USER": "demo"},
            "secrets": {"PASSWORD": "hunter2-very-secret"}}
    created = api.client.post("/api/v1/projects/web-shop/environments", json=body, headers=alice)
    assert created.status_code == 201, created.text
    assert created.json()["secret_names"] == ["PASSWORD"]
    listed = api.client.get("/api/v1/projects/web-shop/environments", headers=api.token("bob", scopes=("read",)))
    assert "hunter2" not in created.text + listed.text
    assert [e["name"] for e in listed.json()["items"]] == ["staging"]
    # env.write needs the project admin role: bob is an editor.
    assert_error(api.client.post("/api/v1/projects/web-shop/environments", json={"name": "prod"},
                                 headers=api.token("bob")), 403)
    assert_error(api.client.post("/api/v1/projects/web-shop/environments", json=body, headers=alice), 422)
