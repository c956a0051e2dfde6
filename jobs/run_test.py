"""RQ job: execute one queued test attempt (a thin caller of `services.runs.execution`)."""

from __future__ import annotations

import uuid

from rq import get_current_job


def run_test(test_result_id: str) -> str:
    from traceiq_app.services.observability import logs, tracing
    from traceiq_app.services.runs.execution import execute_test_result

    logs.clear()  # ids of the previous job must not leak into this one's lines
    job = get_current_job()
    worker_name = job.worker_name if job is not None else None
    try:
        with tracing.job_span(job):  # child of the enqueue, through the context in the job's meta
            return execute_test_result(uuid.UUID(test_result_id), worker_name=worker_name)
    finally:
        tracing.flush()
