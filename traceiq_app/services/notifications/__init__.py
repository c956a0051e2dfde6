"""Notifications: per-project channels (generic webhooks signed per Standard Webhooks, Slack,
Microsoft Teams, e-mail) and rules (which event types, with filters, go to which channel);
`publish()` turns an event into one delivery per matching channel (idempotent per event id and
channel) and queues it on the `traceiq-notify` RQ queue; `jobs/notify.py` sends it, retries
with backoff, and keeps the delivery log. Outgoing requests pass the SSRF guard (`outbound`).

Event types: run.finished, run.failed, run.recovered, schedule.missed, test.flaky_detected
(published by the analytics domain), defect.assigned, defect.status_changed, defect.commented
(the defect's watchers get these in the app whatever their preferences, the actor excepted), and
notification.test (the "send test event" button).

May call: platform (permissions, audit, mail, secrets at rest). Called by runs (run ends,
missed schedules) and any domain that publishes an event; it never imports them."""

from traceiq_app.services.notifications.deliveries import publish

__all__ = ["publish"]
