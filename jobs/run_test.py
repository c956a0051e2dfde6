"""RQ job: execute one queued test attempt (a thin caller of `services.runs.execution`)."""

from __future__ import annotations

import uuid

from rq import get_current_job


def run_test(test_result_id: str) -> str:
    from traceiq_app.services.observability import logs
    from traceiq_app.services.runs.execution import execute_test_result

    logs.clear()  # ids of the previous job must not leak into this one's lines
    job = get_current_job()
    worker_name = job.worker_name if job is not None else None
    return execute_test_result(uuid.UUID(test_result_id), worker_name=worker_name)
