"""Observability tests that need a whole installation use the runs tests' `stack` fixture (real
Redis, database and workers), or the running app (`live` from the accounts tests, `worker` and
`app_db` from tests/support/webapp.py)."""

from tests.accounts.conftest import live  # noqa: F401 - fixtures
from tests.runs.conftest import migrated_template, site_url, stack  # noqa: F401
from tests.support.webapp import app_db, worker  # noqa: F401
