"""RQ jobs of the `traceiq-notify` queue (thin callers of `services.notifications`)."""

from __future__ import annotations

import uuid


def deliver(delivery_id: str) -> str:
    from traceiq_app.services.notifications.deliveries import deliver as deliver_one

    return deliver_one(uuid.UUID(delivery_id))


def sweep() -> int:
    """Queue the notification retries that are due (the workers' maintenance pass runs it too)."""
    from traceiq_app.services.notifications.deliveries import sweep as sweep_due

    return sweep_due()
