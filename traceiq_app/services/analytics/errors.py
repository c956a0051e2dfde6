"""Bad input to analytics: a `catalog.projects.Invalid` (so /api/v1 answers 422 with
`{"field", "problem"}`) that also carries the field on its own."""

from __future__ import annotations

from traceiq_app.services.catalog.projects import Invalid


class AnalyticsInvalid(Invalid):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problem = message
