"""Logging for every TraceIQ process: `TRACEIQ_LOG_FORMAT=json|text` (structlog renders the
standard library's records, so third-party loggers get the same shape).

Every line carries time, level, logger and message, plus the ids in scope, bound with
`bind(...)` in context variables: `request_id`, `user_id`, `org_id`, `project_id` (HTTP
requests: api/request_ids.py and the auth dependency), `run_id`, `test_result_id`, `worker`
(RQ jobs: jobs/run_test.py). Secret values never reach a log line: the engine masks them in every
text it produces (step errors, console and network messages), and nothing of ours logs a
definition's variable values.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars

_configured: str | None = None


def configure(process: str, fmt: str | None = None, level: int = logging.INFO) -> None:
    """Install the root handler for this process (idempotent). `process`: web, worker, supervisor."""
    global _configured
    from traceiq_app.settings import get_settings

    fmt = fmt or get_settings().log_format
    if _configured == fmt:
        return
    renderer: Any = (structlog.processors.JSONRenderer(sort_keys=False) if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    shared: list[Any] = [
        merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        structlog.processors.format_exc_info,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, _process_field(process), renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_traceiq", False):
            root.removeHandler(old)
    handler._traceiq = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    _configured = fmt


def _process_field(process: str) -> Any:
    def add(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("process", process)
        if "event" in event:
            event["message"] = event.pop("event")
        return event
    return add


def bind(**ids: Any) -> None:
    """Ids in scope for every following line of this task/thread (None values are skipped)."""
    bind_contextvars(**{k: str(v) for k, v in ids.items() if v is not None})


def clear() -> None:
    clear_contextvars()

