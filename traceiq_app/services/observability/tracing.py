"""OpenTelemetry tracing, active only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: then one trace
follows a run from the HTTP request (or the Reflex event) that starts it, through the enqueue
(its context travels in the RQ job's meta), the worker's job, the test and each step, with the
SQL (SQLAlchemy) and Redis commands made on the way as child spans.

Without the setting nothing of OpenTelemetry is imported and every function here is a cheap
no-op, so callers never check. Span names (what the trace viewer shows):

    HTTP <METHOD> <route template>      the API request (kind SERVER)
    ui.event <State>.<handler>          a Reflex event handler
    rq.enqueue                          pushing a run's jobs to the queue (kind PRODUCER)
    rq.job <function>                   the worker's job (kind CONSUMER), child of rq.enqueue
    test <name>                         one test attempt, child of the job
    step <index> <action>               one step, child of the test
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)

META_KEY = "otel"  # the RQ job meta key holding the W3C trace context (traceparent, tracestate)

_provider: Any = None  # the SDK TracerProvider once setup() ran with an endpoint
_instrumented_engines: set[int] = set()


def endpoint() -> str | None:
    return get_settings().otel_endpoint or None


def active() -> bool:
    return _provider is not None


def setup(service_name: str) -> bool:
    """Install the tracer provider, the OTLP/HTTP exporter and the SQLAlchemy and Redis
    instrumentation when an endpoint is set. Idempotent; returns whether tracing is on."""
    global _provider
    if _provider is not None:
        return True
    base = endpoint()
    if not base:
        return False
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}), sampler=_sampler())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=base.rstrip("/") + "/v1/traces")))
    trace.set_tracer_provider(provider)
    _provider = provider
    RedisInstrumentor().instrument(tracer_provider=provider)
    from traceiq_app.db import get_engine

    instrument_engine(get_engine())  # engines made later are instrumented by db.make_engine
    log.info("tracing: exporting spans of %s to %s", service_name, base)
    return True


ROOT_PREFIXES = ("HTTP ", "ui.event ", "rq.", "test ", "step ")


def _sampler() -> Any:
    """Our spans start traces; a SQL or Redis command starts none (a worker's heartbeats and
    polling would flood the collector): it is recorded only inside one of our spans."""
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler

    class OwnRoots(Sampler):
        def should_sample(self, parent_context: Any, trace_id: int, name: str, *args: Any, **kwargs: Any) -> Any:
            chosen = ALWAYS_ON if name.startswith(ROOT_PREFIXES) else ALWAYS_OFF
            return chosen.should_sample(parent_context, trace_id, name, *args, **kwargs)

        def get_description(self) -> str:
            return "TraceIQOwnRoots"

    return ParentBased(root=OwnRoots())


def instrument_engine(engine: Any) -> None:
    """SQL spans for one SQLAlchemy engine (no-op when tracing is off or already done)."""
    if _provider is None or id(engine) in _instrumented_engines:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if not _instrumented_engines:
        # skip_dep_check: its declared range lags SQLAlchemy releases (2.1 works with its event hooks)
        instrumentor.instrument(engine=engine, tracer_provider=_provider, skip_dep_check=True)
    else:  # instrument() works once per process: hook further engines up by hand
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.metrics import get_meter

        usage = get_meter("traceiq.sqlalchemy").create_up_down_counter("db.client.connections.usage")
        EngineTracer(_provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine, usage)
    _instrumented_engines.add(id(engine))


def shutdown() -> None:
    """Flush and stop exporting; undo the instrumentation (tests, process exit)."""
    global _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    provider, _provider = _provider, None
    with contextlib.suppress(Exception):
        RedisInstrumentor().uninstrument()
    with contextlib.suppress(Exception):
        SQLAlchemyInstrumentor().uninstrument()
    _instrumented_engines.clear()
    provider.shutdown()


def flush(timeout_ms: int = 5000) -> None:
    """Export what is buffered now (a worker after each job: traces arrive while it idles)."""
    if _provider is not None:
        with contextlib.suppress(Exception):
            _provider.force_flush(timeout_ms)


def _tracer() -> Any:
    return _provider.get_tracer("traceiq")


def _kind(name: str) -> Any:
    from opentelemetry.trace import SpanKind

    return getattr(SpanKind, name)


@contextlib.contextmanager
def span(name: str, attributes: Mapping[str, Any] | None = None, kind: str = "INTERNAL",
         parent: Any = None) -> Iterator[Any]:
    """A span around a block, current inside it (so SQL/Redis spans nest under it); yields the
    span, or None when tracing is off. Exceptions are recorded and re-raised."""
    if _provider is None:
        yield None
        return
    with _tracer().start_as_current_span(name, context=parent, kind=_kind(kind),
                                         attributes=_clean(attributes)) as current:
        yield current


def current_context() -> Any:
    """The active context (to parent spans started on another thread or later), or None."""
    if _provider is None:
        return None
    from opentelemetry import context

    return context.get_current()


def start_span(name: str, parent: Any, attributes: Mapping[str, Any] | None = None) -> Any:
    """A span ended later by `end_span` (not made current), child of the context `parent`."""
    if _provider is None:
        return None
    return _tracer().start_span(name, context=parent, attributes=_clean(attributes))


def end_span(current: Any, attributes: Mapping[str, Any] | None = None, error: str | None = None) -> None:
    if current is None:
        return
    from opentelemetry.trace import Status, StatusCode

    for key, value in _clean(attributes).items():
        current.set_attribute(key, value)
    if error:
        current.set_status(Status(StatusCode.ERROR, error[:500]))
    current.end()


def set_attributes(current: Any, attributes: Mapping[str, Any]) -> None:
    if current is not None:
        for key, value in _clean(attributes).items():
            current.set_attribute(key, value)


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v if isinstance(v, (str, bool, int, float)) else str(v)
            for k, v in (attributes or {}).items() if v is not None}


# ---- context across processes ------------------------------------------------------------------
def inject() -> dict[str, str] | None:
    """The current trace context as W3C headers (for a job's meta), or None when off."""
    if _provider is None:
        return None
    from opentelemetry.propagate import inject as _inject

    carrier: dict[str, str] = {}
    _inject(carrier)
    return carrier or None


def extract(carrier: Mapping[str, str] | None) -> Any:
    """The context carried by `inject` (or HTTP headers), or None."""
    if _provider is None or not carrier:
        return None
    from opentelemetry.propagate import extract as _extract

    return _extract(dict(carrier))


@contextlib.contextmanager
def job_span(job: Any) -> Iterator[Any]:
    """The worker's span for an RQ job, child of the enqueue that carried its context."""
    if _provider is None or job is None:
        yield None
        return
    meta = getattr(job, "meta", None) or {}
    name = str(getattr(job, "func_name", "job")).rsplit(".", 1)[-1]
    attributes = {"messaging.system": "rq", "messaging.operation": "process",
                  "messaging.message.id": getattr(job, "id", None),
                  "messaging.destination.name": getattr(job, "origin", None)}
    with span(f"rq.job {name}", attributes, kind="CONSUMER", parent=extract(meta.get(META_KEY))) as current:
        yield current
