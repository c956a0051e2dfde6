"""Catalog tests: the web app fixtures of tests/support/webapp.py (databases, personas, the running
app's database, real workers, app logs on failure)."""

from tests.support.webapp import *  # noqa: F401,F403 - fixtures and the log-on-failure hook
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401
