"""A signed-out tab's late event (a poll of the page it just left) is sent to /login?next=<page>
from a protected page, but dropped on a sign-in page: redirecting /login to /login?next=/login
replaced where the visitor had asked to go (they then landed on the sign-in page again)."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.accounts import matrix_support as ms


def _outcome(path: str) -> object:
    from traceiq_app.state.accounts import auth
    from traceiq_app.state.accounts.settings import TokensState

    state = ms.state_for(TokensState, None, path)
    event = type("E", (), {"name": f"{TokensState.get_full_name()}.load_tokens"})()  # type: ignore[attr-defined]
    context = contextvars.copy_context()
    # In a thread of its own (a session-wide sync Playwright may run a loop in this one).
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(context.run, asyncio.run, auth.AuthGuard().preprocess(None, state, event)).result()


@pytest.mark.parametrize("path", ["/login", "/login/two-factor", "/login/", "/logout", "/signup"])
def test_it_drops_a_late_event_on_a_sign_in_page(personas, path: str) -> None:  # type: ignore[no-untyped-def]
    update = _outcome(path)
    assert update is not None and not getattr(update, "events", None), update  # dropped, no redirect


def test_it_still_sends_a_protected_page_to_sign_in(personas) -> None:  # type: ignore[no-untyped-def]
    update = _outcome("/projects/abc")
    assert update is not None and "next=%2Fprojects%2Fabc" in str(update)
