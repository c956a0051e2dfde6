"""Manual attachments through their routes (real app API, session cookies): a pasted PNG is
stored in the artifact storage and served only to project members; too-large files and files
whose CONTENT is not an accepted type are refused with a clear message; a viewer can read a
run but cannot record results or attach files; an outsider learns nothing."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.accounts.matrix_support import session_cookie
from tests.factories import add_org_member, add_project_member, make_user
from tests.manual.manual_support import PNG, seed_run
from tests.support.webapp import principal_of
from traceiq_app.db import get_engine
from traceiq_app.models import ManualAttachment, OrgRole, ProjectRole
from traceiq_app.services.manual import attachments, runs
from traceiq_app.services.platform.permissions import PermissionDenied, authorize
from traceiq_app.settings import reset_settings_cache

ORIGIN = "http://testserver"


def _client(user_id: uuid.UUID | None) -> TestClient:
    from traceiq_app.api.app import create_api

    client = TestClient(create_api(), base_url=ORIGIN)
    client.headers["Origin"] = ORIGIN
    if user_id is not None:
        client.cookies.set("tiq_session", session_cookie(user_id))
    return client


@pytest.fixture
def erin(personas):  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        user = make_user(s, "erin@acme.test", display_name="Erin")
        add_org_member(s, personas.acme, user, OrgRole.member)
        add_project_member(s, personas.project, user, ProjectRole.viewer)
        s.commit()
    return user


def test_attachments_are_checked_stored_and_served_after_a_permission_check(
        personas, erin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACEIQ_MANUAL_ATTACHMENT_MAX_KB", "2")
    reset_settings_cache()
    pid = personas.project.id
    run = seed_run(pid, principal_of(personas.alice))
    test = runs.run_view(pid, run.id).tests[0]
    step = runs.test_steps(pid, run.id, test.id)[1]
    url = f"/api/manual/step-results/{step.id}/attachments"

    bob = _client(personas.bob.id)
    created = bob.post(url, params={"filename": "cart.png"}, content=PNG)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["content_type"] == "image/png" and body["filename"] == "cart.png"
    with Session(get_engine()) as s:
        row = s.get(ManualAttachment, uuid.UUID(body["id"]))
        assert row is not None and row.storage_key.startswith(f"manual/{pid}/")
        assert "_upload" not in row.storage_key

    # Type comes from the bytes: an HTML page named .png and a binary blob are refused.
    fake = bob.post(url, params={"filename": "evil.png"}, content=b"<html><script>alert(1)</script></html>")
    assert fake.status_code == 422 and "evil.png: this kind of file cannot be attached" in fake.text
    blob = bob.post(url, params={"filename": "tool.exe"}, content=b"MZ\x90\x00\x03\x00\x00\x00" * 10)
    assert blob.status_code == 422
    # Over TRACEIQ_MANUAL_ATTACHMENT_MAX_KB (2 KB here).
    big = bob.post(url, params={"filename": "big.png"}, content=PNG + b"\x00" * 4096)
    assert big.status_code == 413 and "limit of 2 KB" in big.text
    with pytest.raises(Exception, match="larger than the limit of 2 KB"):
        attachments.check("big.png", PNG + b"\x00" * 4096)

    # Served to members (viewer included), with its sniffed type; not to outsiders or anonymous.
    served = _client(erin.id).get(body["url"])
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"
    assert _client(personas.charlie.id).get(body["url"]).status_code == 404
    assert _client(None).get(body["url"]).status_code == 401

    # The viewer may not attach (and nothing is stored); the outsider gets a 404.
    assert _client(erin.id).post(url, params={"filename": "x.png"}, content=PNG).status_code == 403
    assert _client(personas.charlie.id).post(url, params={"filename": "x.png"}, content=PNG).status_code == 404
    assert [a["filename"] for a in runs.test_steps(pid, run.id, test.id)[1].attachments] == ["cart.png"]
    reset_settings_cache()


def test_a_viewer_reads_a_manual_run_but_cannot_change_it(personas, erin) -> None:  # type: ignore[no-untyped-def]
    pid = personas.project.id
    seed_run(pid, principal_of(personas.alice))
    viewer = principal_of(erin)
    authorize(viewer, "manual_run.read", project_id=pid)
    with pytest.raises(PermissionDenied, match="needs the editor role"):
        authorize(viewer, "manual_run.write", project_id=pid)
    with pytest.raises(PermissionDenied):
        authorize(principal_of(personas.charlie), "manual_run.read", project_id=pid)
