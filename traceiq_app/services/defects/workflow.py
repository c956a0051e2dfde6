"""The defect workflow: NEW -> ASSIGNED -> IN PROGRESS -> FIXED -> AWAITING VERIFICATION ->
VERIFIED FIXED -> CLOSED, and REOPENED when verification fails (from AWAITING VERIFICATION or
CLOSED); a reopened defect goes back to ASSIGNED or IN PROGRESS. `check` refuses anything else
with a message that names the allowed next statuses."""

from __future__ import annotations

from traceiq_app.services.catalog.projects import Invalid

STATUSES = ("new", "assigned", "in_progress", "fixed", "awaiting_verification", "verified_fixed", "closed",
            "reopened")
LABELS = {"new": "NEW", "assigned": "ASSIGNED", "in_progress": "IN PROGRESS", "fixed": "FIXED",
          "awaiting_verification": "AWAITING VERIFICATION", "verified_fixed": "VERIFIED FIXED",
          "closed": "CLOSED", "reopened": "REOPENED"}
NEXT: dict[str, tuple[str, ...]] = {
    "new": ("assigned",),
    "assigned": ("in_progress",),
    "in_progress": ("fixed",),
    "fixed": ("awaiting_verification",),
    "awaiting_verification": ("verified_fixed", "reopened"),
    "verified_fixed": ("closed",),
    "closed": ("reopened",),
    "reopened": ("assigned", "in_progress"),
}
OPEN = ("new", "assigned", "in_progress", "reopened", "fixed", "awaiting_verification")
# From FIXED on, a new failure of the defect's cluster means the fix did not hold.
FIXED_OR_LATER = ("fixed", "awaiting_verification", "verified_fixed", "closed")
DONE = ("verified_fixed", "closed")
SEVERITIES = ("blocker", "critical", "major", "minor", "trivial")
PRIORITIES = ("urgent", "high", "medium", "low")


def label(status: str) -> str:
    return LABELS.get(status, status.upper())


def normalize(status: str) -> str:
    """Accepts "IN PROGRESS", "in progress", "in_progress"."""
    return (status or "").strip().lower().replace(" ", "_").replace("-", "_")


def check(current: str, target: str) -> str:
    """The target status, or Invalid with the allowed next statuses."""
    target = normalize(target)
    if target not in STATUSES:
        raise Invalid(f"Status: {target or 'nothing'!r} is not a defect status; choose one of "
                      f"{', '.join(LABELS[s] for s in STATUSES)}.")
    allowed = NEXT.get(current, ())
    if target not in allowed:
        raise Invalid(f"A defect that is {label(current)} cannot move to {label(target)}; next: "
                      f"{' or '.join(label(s) for s in allowed) or 'nothing'}.")
    return target
