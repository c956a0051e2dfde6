"""RQ jobs for periodic upkeep, for deployments that prefer `rq` schedules to the workers'
built-in maintenance thread (which already runs all of this)."""

from __future__ import annotations


def maintenance_pass() -> dict[str, int]:
    from traceiq_app.services.runs.reaper import run_locked_pass

    report = run_locked_pass()
    if report is None:
        return {"skipped": 1}
    return {"lost": len(report.lost), "timed_out": len(report.timed_out), "requeued": len(report.requeued),
            "fired": len(report.fired), "purged": report.purged}


def purge_expired_artifacts() -> int:
    from traceiq_app.services.runs.retention import purge_expired

    return purge_expired().deleted
