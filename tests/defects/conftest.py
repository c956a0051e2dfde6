"""Fixtures for the defect tests: a migrated SQLite database with the usual cast (`personas`),
run histories recorded through the runs domain's own `finish_attempt` (`history`), and the
running app for browser tests (`live`)."""

from __future__ import annotations

from tests.accounts.conftest import live  # noqa: F401
from tests.analytics.history import history, history_any  # noqa: F401
from tests.support.webapp import *  # noqa: F401,F403
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401
