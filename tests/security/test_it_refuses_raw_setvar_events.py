"""A raw `setvar` event over the websocket (Reflex's generic setter, which no page of ours sends)
is refused before it runs, with a clear toast and a log line, not an unhandled error."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import *  # noqa: F403 - `live`: this process on the app's database
from tests.accounts.test_it_ignores_crafted_events_for_other_orgs import RawClient, _wait_quiet
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.accounts.settings import TokensState

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("app")]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_it_refuses_raw_setvar_with_a_clear_message(live, app_server, signed_in: bool) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.conftest import seed_live_cast
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import web_sessions

    cookie = None
    if signed_in:
        cast = seed_live_cast()
        with session_scope() as s:
            user = s.get(User, cast.alice_id)
            assert user is not None
            cookie = web_sessions.create_session(s, user)
    log_start = len(app_server.logs())
    client = RawClient(live.url, cookie)
    try:
        client.send(AuthState, "setvar", {"var_name": "org_id", "value": "anything"}, path="/")
        client.send(AuthState, "setvar", {"var_name": "no_such_var", "value": 1}, path="/")
        client.send(TokensState, "setvar", {"var_name": "tokens", "value": []}, path="/settings/tokens")
        _wait_quiet(client)
        seen = client.text()
    finally:
        client.close()
    assert seen.count("does not accept 'setvar' events") >= 3, seen[:2000]
    new_log = app_server.logs()[log_start:]
    assert "Traceback" not in new_log, new_log[-3000:]
    assert "refused a raw setvar event" in new_log
