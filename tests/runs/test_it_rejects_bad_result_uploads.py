"""Bad result uploads are refused with a clear, located error in the API's error envelope and
store nothing: malformed XML (line number), the wrong format, broken JSON (line/column, JSON
path), an oversized upload (413), missing auth/scope/foreign project (401/403/404). A failure
while storing leaves neither rows nor stored files behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.runs.results_support import DATA, run_count, session_cookie, token_for, upload
from traceiq_app.db import get_engine
from traceiq_app.settings import get_settings, reset_settings_cache

BROKEN_XML = b"""<?xml version="1.0"?>
<testsuite name="x" tests="1">
  <testcase name="a" classname="c">
    <failure message="boom">
  </testcase>
</testsuite>
"""


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert "Traceback" not in response.text and "ExpatError" not in response.text
    return body["error"]


def _stored_files() -> list[Path]:
    root = Path(get_settings().artifacts_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_it_rejects_bad_reports_with_located_errors(personas) -> None:  # type: ignore[no-untyped-def]
    token, slug = token_for(personas), personas.project.slug

    broken = _error(upload(slug, ("junit.xml", BROKEN_XML), token=token))
    assert broken["code"] == "invalid_report"
    assert broken["message"].startswith("junit.xml: line 5, column ") and "does not match" in broken["message"]

    nameless = _error(upload(slug, ("junit.xml", b'<testsuite name="s">\n  <testcase name="ok"/>\n'
                                                  b'  <testcase classname="c" time="1"/>\n</testsuite>\n'), token=token))
    assert nameless["message"] == "junit.xml: line 3: <testcase> without a name"

    html = _error(upload(slug, ("page.xml", b"<html><body>hi</body></html>"), token=token))
    assert "the root element is <html>" in html["message"]

    as_junit = _error(upload(slug, ("r.json", b'{"suites": []}'), token=token, data={"format": "junit"}))
    assert "looks like JSON, not JUnit XML" in as_junit["message"]
    as_json = _error(upload(slug, ("r.xml", (DATA / "surefire_reruns.xml").read_bytes()), token=token,
                            data={"format": "playwright-json"}))
    assert "looks like XML" in as_json["message"]
    unknown = upload(slug, ("r.xml", b"<testsuite/>"), token=token, data={"format": "nunit"})
    assert unknown.status_code == 422 and "'nunit' is not one of junit, playwright-json" in _error(unknown)["message"]

    bad_json = _error(upload(slug, ("results.json", b'{"suites": [\n  {"title": "a",,}]}'), token=token))
    assert bad_json["message"].startswith("results.json: line 2, column ")
    bad_status = {"suites": [{"title": "a.spec.ts", "specs": [{"title": "t", "tests": [
        {"projectName": "chromium", "results": [{"status": "exploded", "duration": 1}]}]}]}]}
    located = _error(upload(slug, ("results.json", json.dumps(bad_status).encode()), token=token))
    assert located["message"] == ("results.json: suites[0].specs[0].tests[0].results[0].status: 'exploded' "
                                  "is not one of passed, failed, timedOut, skipped, interrupted")
    empty = _error(upload(slug, ("results.json", b"   "), token=token))
    assert "empty" in empty["message"]
    neither = _error(upload(slug, ("notes.txt", b"hello"), token=token))
    assert "neither JUnit XML nor a Playwright JSON report" in neither["message"]

    missing_file = upload(slug, ("x", b""), token=token)  # an empty report part
    assert missing_file.status_code == 422
    assert run_count() == 0 and _stored_files() == []


def test_it_refuses_oversized_uploads(personas, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACEIQ_MAX_UPLOAD_MB", "1")
    reset_settings_cache()
    big = upload(personas.project.slug, ("junit.xml", (DATA / "pytest_style.xml").read_bytes()),
                 token=token_for(personas), attachments=[("shots/huge.png", b"\x00" * (1024 * 1024 + 10))])
    assert big.status_code == 413  # refused at the stream (api/request_limits.py), before the route reads it
    error = _error(big)
    assert error["code"] == "payload_too_large" and error["details"] == {"limit_bytes": 1024 * 1024}
    assert run_count() == 0 and _stored_files() == []


def test_it_checks_auth_scope_and_project(personas) -> None:  # type: ignore[no-untyped-def]
    report = ("junit.xml", (DATA / "pytest_style.xml").read_bytes())
    assert upload(personas.project.slug, report, token=None).status_code == 401
    assert upload(personas.project.slug, report, token="tiq_forged").status_code == 401
    read_only = upload(personas.project.slug, report, token=token_for(personas, scopes=("read",)))
    assert read_only.status_code == 403 and "'run' scope" in _error(read_only)["message"]
    outsider = token_for(personas, "charlie")
    assert upload(personas.project.slug, report, token=outsider).status_code == 404
    assert upload(str(personas.project.id), report, token=outsider).status_code == 404
    assert upload("no-such-project", report, token=token_for(personas)).status_code == 404
    assert run_count() == 0


def test_it_allows_project_editors_signed_in_as_the_permission_matrix_says(personas) -> None:  # type: ignore[no-untyped-def]
    """The permission matrix's personas for this multipart route (it cannot drive it with JSON)."""
    from tests.factories import add_org_member, add_project_member, make_user
    from traceiq_app.models import OrgRole, ProjectRole

    with Session(get_engine(), expire_on_commit=False) as s:
        erin = make_user(s, "erin@acme.test")
        add_org_member(s, s.merge(personas.acme), erin, OrgRole.member)
        add_project_member(s, s.merge(personas.project), erin, ProjectRole.viewer)
        s.commit()
    report = ("junit.xml", (DATA / "pytest_style.xml").read_bytes())
    expected = {"alice": 201, "bob": 201, "erin": 403, "charlie": 404}
    for who, status in expected.items():
        user = erin if who == "erin" else getattr(personas, who)
        got = upload(str(personas.project.id), report, token=None, cookie=session_cookie(user))
        assert got.status_code == status, (who, got.text)
    assert run_count() == 2


def test_it_stores_nothing_when_storing_fails(personas, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.platform import audit

    def broken_record(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError, match="database went away"):
        upload(personas.project.slug, ("junit.xml", (DATA / "pytest_style.xml").read_bytes()),
               token=token_for(personas), attachments=[("shots/bad-password.png", b"\x89PNG" + b"\x00" * 32)])
    assert run_count() == 0
    assert _stored_files() == []  # the screenshot uploaded before the failure was deleted again
