"""Observability tests that need a whole installation (database, Redis, real workers) use the runs
tests' `stack` fixture."""

from tests.runs.conftest import migrated_template, site_url, stack  # noqa: F401 - fixtures
