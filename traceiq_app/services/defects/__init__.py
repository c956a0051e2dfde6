"""Defects and custom fields.

Owns: defects (DEF-n keys claimed once per project, the workflow in `workflow`, every change in
`history`), comments, watchers, attachments (artifact storage, `attachments`), the failure
clusters a defect tracks and their occurrences (`occurrences`: attach on run close, recurrence),
defects prefilled from a failure (`prefill`), the list with filters and saved filters
(`listing`; across the projects of an organization: `org_list`), CSV/Excel exports (`exports`), dashboard counts (`stats`), and per-project custom
fields on test cases and defects (`custom_fields`).

May call: platform (permissions, storage, audit), catalog (read-only: test cases, projects),
runs and analytics (read-only: results, artifacts, facts), notifications (`publish`). runs calls
`occurrences.record_run` when a run closes, next to `facts.record_run`."""

from traceiq_app.services.catalog.projects import Invalid, NotFound

__all__ = ["Invalid", "NotFound"]
