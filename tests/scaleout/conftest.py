"""The scale-out topology on one machine: each node a separate process with its own data folder
and working directory, sharing only Postgres, a Redis server of the test's own and an
S3-compatible server (moto_server, as in tests/runs)."""

from tests.runs.conftest import site_url  # noqa: F401 - fixture
