"""Reflex's upload endpoint (`POST /_upload`) on the RUNNING app: refused without a signed-in
session BEFORE the body is read (a 4 GB upload used to be spooled to disk first), capped at
TRACEIQ_MAX_UPLOAD_MB at the stream for signed-in users, and a 400 (not a 500) for a handler
that takes no files."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import *  # noqa: F403 - `live`: this process on the app's database
from tests.accounts.conftest import seed_live_cast
from tests.security.http_support import send_huge

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("app")]

GB = 1024 * 1024 * 1024
DEFAULT_UPLOAD_LIMIT = 100 * 1024 * 1024  # TRACEIQ_MAX_UPLOAD_MB's default
# A well-formed start of a multipart upload: one file part whose content is what follows.
FILE_PART = b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="big.json"\r\n' \
            b"Content-Type: application/json\r\n\r\n"


def _upload_handler() -> str:
    from traceiq_app.state.catalog.imports import ImportState

    return f"{ImportState.get_full_name()}.handle_upload"


def _headers(handler: str, cookie: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "multipart/form-data; boundary=xyz", "reflex-client-token": "t" * 36,
               "reflex-event-handler": handler}
    if cookie:
        headers["Cookie"] = f"tiq_session={cookie}"
    return headers


def _session_cookie(user_id) -> str:  # type: ignore[no-untyped-def]
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import web_sessions

    with session_scope() as s:
        user = s.get(User, user_id)
        assert user is not None
        return web_sessions.create_session(s, user)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_it_refuses_an_anonymous_upload_before_reading_it(live, chunked: bool) -> None:  # type: ignore[no-untyped-def]
    response = send_huge(live.url, "/_upload", total_bytes=4 * GB, chunked=chunked, prefix=FILE_PART,
                         headers=_headers(_upload_handler()))
    assert response.status == 401, (response.status, response.body[:300])
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.sent_bytes < 64 * 1024 * 1024, f"{response.sent_bytes} bytes were read before the refusal"


def test_it_refuses_a_forged_session_cookie(live) -> None:  # type: ignore[no-untyped-def]
    response = send_huge(live.url, "/_upload", total_bytes=GB, chunked=False,
                         headers=_headers(_upload_handler(), cookie="forged-session-value"))
    assert response.status == 401


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_it_caps_a_signed_in_upload_at_the_stream(live, chunked: bool) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    cookie = _session_cookie(cast.alice_id)
    response = send_huge(live.url, "/_upload", total_bytes=4 * GB, chunked=chunked, prefix=FILE_PART,
                         headers=_headers(_upload_handler(), cookie=cookie))
    assert response.status == 413, (response.status, response.body[:300])
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"] == {"limit_bytes": DEFAULT_UPLOAD_LIMIT}
    assert response.sent_bytes < DEFAULT_UPLOAD_LIMIT + 64 * 1024 * 1024


def test_it_answers_400_to_a_handler_that_takes_no_files(live) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.state.accounts.auth import AuthState

    cast = seed_live_cast()
    cookie = _session_cookie(cast.alice_id)
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.json\"\r\n\r\n{}\r\n--xyz--\r\n"
    import httpx

    for handler in (f"{AuthState.get_full_name()}.load_session", "no.such.handler"):
        response = httpx.post(live.url + "/_upload", content=body, headers=_headers(handler, cookie=cookie), timeout=60)
        assert response.status_code == 400, (handler, response.status_code, response.text[:300])
        assert response.json()["error"]["code"] == "not_an_upload_handler"
        assert "handler" in response.json()["error"]["message"]
