"""Manual testing tests: the web app fixtures of tests/support/webapp.py."""

from tests.support.webapp import *  # noqa: F401,F403 - fixtures and the log-on-failure hook
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401
