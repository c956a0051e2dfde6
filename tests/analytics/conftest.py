"""Fixtures for the analytics tests: a migrated SQLite database (or SQLite and Postgres with
`history_any`) with the usual cast, and `history`, which records finished runs through the
runs domain's own `finish_attempt` (the path a worker takes) so facts are written as in
production. Browser tests use the running app (`live` from the accounts tests)."""

from __future__ import annotations

from tests.accounts.conftest import live  # noqa: F401
from tests.analytics.history import history, history_any  # noqa: F401
from tests.support.webapp import *  # noqa: F401,F403
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401
