"""Observability: what operators see of a running installation: Prometheus metrics merged
across processes (`metrics`), structured logs with the ids in scope (`logs`), and the system
report behind the System page and `GET /api/v1/system` (`system`).

May call: platform, and runs (read-only: queues, workers, retention rules). Everything else
reports to it through `metrics` / `logs` calls that never raise."""
