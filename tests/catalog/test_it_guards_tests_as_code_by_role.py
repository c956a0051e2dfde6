"""GET/POST /api/v1/projects/{project}/tree: readers may export (secret names, never values),
editors may push tests and folders but only project admins may change environments, tokens need
the write scope to push, other organizations see 404, anonymous 401; refusals change nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tests.factories import add_org_member, add_project_member, make_environment, make_test_case, make_user
from traceiq_app.db import get_engine
from traceiq_app.models import OrgRole, ProjectRole
from traceiq_app.services.catalog import tree_sync
from traceiq_app.services.platform.secrets_crypto import encrypt_secrets

SECRET = "s3cr3t-value-never-exported"


def _client() -> Any:
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    return TestClient(create_api())


def _token(user: Any, org_id: Any, scopes: list[str]) -> str:
    from traceiq_app.services.accounts.tokens import create_token

    with Session(get_engine(), expire_on_commit=False) as s:
        plain, _ = create_token(s, user=s.merge(user), org_id=org_id, name="t", scopes=scopes)
        s.commit()
    return plain


def test_it_guards_tests_as_code_by_role(personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.merge(personas.project)
        make_test_case(s, project, "Home")
        env = make_environment(s, project, "staging")
        env.secrets_encrypted, env.secret_names = encrypt_secrets({"PASSWORD": SECRET}), ["PASSWORD"]
        s.add(env)
        erin = make_user(s, "erin@acme.test")
        add_org_member(s, s.merge(personas.acme), erin, OrgRole.member)
        add_project_member(s, project, erin, ProjectRole.viewer)
        s.commit()
    slug, acme = personas.project.slug, personas.acme.id
    path = f"/api/v1/projects/{slug}/tree"
    tokens = {"alice": _token(personas.alice, acme, ["write"]), "bob": _token(personas.bob, acme, ["write"]),
              "erin": _token(erin, acme, ["read"]), "bob_read": _token(personas.bob, acme, ["read"]),
              "charlie": _token(personas.charlie, personas.globex.id, ["admin"])}

    def call(method: str, who: str | None, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        with _client() as client:
            return client.request(method, path, json=body, headers=headers)

    exported = call("GET", "erin")
    assert exported.status_code == 200, exported.text
    files = exported.json()["files"]
    assert "home.yaml" in files and "secrets:\n  - PASSWORD\n" in files["_environments.yaml"]
    assert SECRET not in exported.text
    assert call("GET", None).status_code == 401
    assert call("GET", "charlie").status_code == 404
    assert call("GET", "charlie").json()["error"]["code"] == "not_found"

    renamed = {**files, "_environments.yaml": files["_environments.yaml"].replace("name: staging", "name: stage")}
    new_test = {**files, "about.yaml": "name: About\nsteps:\n- action: goto\n  url: /about\n"}
    before = tree_sync.export_tree(personas.project.id)

    viewer = call("POST", "erin", {"files": new_test})
    assert viewer.status_code == 403 and viewer.json()["error"]["code"] == "forbidden"
    read_scope = call("POST", "bob_read", {"files": new_test})
    assert read_scope.status_code == 403 and "'write' scope" in read_scope.json()["error"]["message"]
    editor_env = call("POST", "bob", {"files": renamed})
    assert editor_env.status_code == 403
    assert editor_env.json()["error"]["message"].startswith("the push changes environments:")
    assert call("POST", "charlie", {"files": new_test}).status_code == 404
    assert call("POST", None, {"files": new_test}).status_code == 401
    assert tree_sync.export_tree(personas.project.id) == before

    dry = call("POST", "bob", {"files": new_test, "dry_run": True})
    assert dry.status_code == 200 and dry.json()["applied"] is False
    assert dry.json()["summary"] == {"create": 1, "update": 0, "delete": 0}
    assert tree_sync.export_tree(personas.project.id) == before
    applied = call("POST", "bob", {"files": new_test})
    assert applied.status_code == 200 and applied.json()["applied"] is True
    pulled = call("GET", "alice").json()["files"]  # about.yaml now carries its id
    pulled["_environments.yaml"] = pulled["_environments.yaml"].replace("name: staging", "name: stage")
    admin_env = call("POST", "alice", {"files": pulled})
    assert admin_env.status_code == 200, admin_env.text
    assert [c["details"] for c in admin_env.json()["changes"]] == [["renamed 'staging' -> 'stage'"]]
    after = call("GET", "alice").json()["files"]
    assert "name: stage\n" in after["_environments.yaml"] and "secrets:\n  - PASSWORD\n" in after["_environments.yaml"]
