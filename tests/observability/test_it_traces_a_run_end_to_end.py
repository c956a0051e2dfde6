"""With OTEL_EXPORTER_OTLP_ENDPOINT set, one trace follows a run: the API request that starts it,
the enqueue, the real worker's job, the test and each step, with SQL and Redis spans on the way,
exported over OTLP/HTTP to a real receiver on loopback that decodes the protobuf. Without the
setting no tracer, exporter or instrumentation is even imported."""

from __future__ import annotations

import gzip
import http.server
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.runs.conftest import quick_steps


@dataclass
class Span:
    service: str
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    attributes: dict[str, Any]


@dataclass
class Receiver:
    url: str
    spans: list[Span] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> list[Span]:
        with self.lock:
            return list(self.spans)


def _value(any_value: Any) -> Any:
    which = any_value.WhichOneof("value")
    return getattr(any_value, which) if which else None


@pytest.fixture
def otlp_receiver() -> Iterator[Receiver]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
        ExportTraceServiceResponse,
    )

    receiver = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
                self.send_response(404)
                self.end_headers()
                return
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            got = []
            for resource_spans in request.resource_spans:
                resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for s in scope_spans.spans:
                        got.append(Span(str(resource.get("service.name")), s.trace_id.hex(), s.span_id.hex(),
                                        s.parent_span_id.hex(), s.name, s.kind,
                                        {a.key: _value(a.value) for a in s.attributes}))
            with receiver.lock:
                receiver.spans.extend(got)
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def _parent_chain(span: Span, by_id: dict[str, Span]) -> list[str]:
    """Names from `span` up to the root (fails on a parent that never arrived: a broken link)."""
    names = [span.name]
    while span.parent_id:
        assert span.parent_id in by_id, f"parent of {span.name!r} ({span.service}) was not exported"
        span = by_id[span.parent_id]
        names.append(span.name)
    return names


def test_it_traces_a_run_from_the_request_to_each_step(stack, site_url, otlp_receiver) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.api.app import create_api
    from traceiq_app.services.observability import tracing

    stack.configure(OTEL_EXPORTER_OTLP_ENDPOINT=otlp_receiver.url)  # this process (the API) and the worker
    project = stack.project(site_url)
    steps = quick_steps()
    stack.test_case(project, "home page", steps)
    token = stack.token_for(project, "alice@acme.test")
    stack.start_worker()
    try:
        client = TestClient(create_api())
        assert tracing.active()
        response = client.post(f"/api/v1/projects/{project.id}/runs", json={},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 202, response.text
        run = stack.wait_run(uuid.UUID(response.json()["id"]))
        assert str(run.status) == "passed", stack.logs()
        tracing.flush()

        def arrived() -> bool:
            return sum(s.name.startswith("step ") for s in otlp_receiver.snapshot()) == len(steps)

        stack.wait_for(arrived, timeout=30, what="the worker's step spans at the receiver")
        time.sleep(0.3)  # a straggling batch of the same flush
    finally:
        tracing.shutdown()
        import os
        if os.environ.get("DEBUG_SPANS"):
            for s in otlp_receiver.snapshot():
                print(s.service, s.trace_id[:6], s.span_id, s.parent_id, s.name[:50])

    spans = otlp_receiver.snapshot()
    by_id = {s.span_id: s for s in spans}
    [request] = [s for s in spans if s.name == "HTTP POST /api/v1/projects/{project}/runs"]
    assert request.service == "traceiq-web" and request.parent_id == ""  # the root
    assert request.kind == 2  # SERVER
    assert request.attributes["http.route"] == "/api/v1/projects/{project}/runs"
    assert request.attributes["http.response.status_code"] == 202
    trace = [s for s in spans if s.trace_id == request.trace_id]

    [enqueue] = [s for s in trace if s.name == "rq.enqueue"]
    [job] = [s for s in trace if s.name == "rq.job run_test"]
    [test] = [s for s in trace if s.name == "test home page"]
    step_spans = sorted((s for s in trace if s.name.startswith("step ")), key=lambda s: s.attributes["traceiq.step.index"])
    assert enqueue.service == "traceiq-web" and job.service == test.service == "traceiq-worker"
    assert enqueue.parent_id == request.span_id
    assert job.parent_id == enqueue.span_id  # the context crossed Redis in the job's meta
    assert test.parent_id == job.span_id
    assert test.attributes["traceiq.test.status"] == "passed"
    assert test.attributes["traceiq.run.id"] == str(run.id)
    assert [s.name for s in step_spans] == ["step 0 goto", "step 1 assert_title"]
    assert all(s.parent_id == test.span_id for s in step_spans)
    assert [s.attributes["traceiq.step.status"] for s in step_spans] == ["passed", "passed"]

    # SQL and Redis spans of both processes hang in the same trace, under the spans above.
    sql = [s for s in trace if s.attributes.get("db.system") == "sqlite"]
    redis_spans = [s for s in trace if s.attributes.get("db.system") == "redis"]
    assert {s.service for s in sql} == {"traceiq-web", "traceiq-worker"}
    assert {s.service for s in redis_spans} == {"traceiq-web", "traceiq-worker"}
    assert any("rq.job run_test" in _parent_chain(s, by_id) for s in sql)
    assert any("test home page" in _parent_chain(s, by_id) for s in redis_spans)
    for s in trace:
        assert _parent_chain(s, by_id)[-1] == request.name, f"{s.name} is not under the request"


def test_it_traces_a_run_started_from_the_run_dialog(stack, site_url, otlp_receiver) -> None:  # type: ignore[no-untyped-def]
    """The Run dialog's Start (a Reflex event, as a browser tab sends it with its session cookie)
    is the root: ui.event -> rq.enqueue -> the real worker's job -> test -> steps, one trace."""
    from sqlmodel import select

    from tests.accounts.matrix_support import session_cookie, state_for
    from traceiq_app.models import Run, User
    from traceiq_app.services.observability import tracing
    from traceiq_app.state.runs.run_dialog import RunDialogState

    stack.configure(OTEL_EXPORTER_OTLP_ENDPOINT=otlp_receiver.url)
    project = stack.project(site_url)
    steps = quick_steps()
    stack.test_case(project, "dialog test", steps)
    stack.token_for(project, "alice@acme.test")  # alice, owner of the project's org
    with stack.session() as s:
        alice = s.exec(select(User).where(User.email == "alice@acme.test")).one()
    stack.start_worker()
    try:
        assert tracing.setup("traceiq-web")  # what the web process does at start
        state = state_for(RunDialogState, session_cookie(alice.id), path=f"/projects/{project.id}")
        state.dpid = str(project.id)
        state.start({"browser:chromium": "on", "retries": "0"})
        with stack.session() as s:
            run = s.exec(select(Run).where(Run.project_id == project.id)).one()
        assert str(stack.wait_run(run.id).status) == "passed", stack.logs()
        tracing.flush()
        stack.wait_for(lambda: sum(s.name.startswith("step ") for s in otlp_receiver.snapshot()) == len(steps),
                       timeout=30, what="the worker's step spans at the receiver")
        time.sleep(0.3)
    finally:
        tracing.shutdown()

    spans = otlp_receiver.snapshot()
    by_id = {s.span_id: s for s in spans}
    [event] = [s for s in spans if s.name == "ui.event RunDialogState.start"]
    assert event.service == "traceiq-web" and event.parent_id == ""  # the root
    assert event.attributes["traceiq.project.id"] == str(project.id)
    trace = [s for s in spans if s.trace_id == event.trace_id]
    [enqueue] = [s for s in trace if s.name == "rq.enqueue"]
    [job] = [s for s in trace if s.name == "rq.job run_test"]
    [test] = [s for s in trace if s.name == "test dialog test"]
    assert enqueue.parent_id == event.span_id and job.parent_id == enqueue.span_id
    assert job.service == test.service == "traceiq-worker" and test.parent_id == job.span_id
    assert test.attributes["traceiq.run.id"] == str(run.id)
    step_spans = [s for s in trace if s.name.startswith("step ")]
    assert len(step_spans) == len(steps) and all(s.parent_id == test.span_id for s in step_spans)
    for s in trace:
        assert _parent_chain(s, by_id)[-1] == event.name, f"{s.name} is not under the Run dialog event"


def test_it_loads_no_tracing_without_an_endpoint(stack) -> None:  # type: ignore[no-untyped-def]
    # FastAPI itself imports the OpenTelemetry API (its own telemetry, off here); what tracing
    # brings (the SDK's tracer, the exporter, the SQL/Redis instrumentation) stays unloaded.
    code = ("import sys\n"
            "OURS = ('opentelemetry.sdk.trace', 'opentelemetry.exporter', 'opentelemetry.instrumentation')\n"
            "from traceiq_app.api.app import create_api\n"
            "import traceiq_app.processes.worker, jobs.run_test, traceiq_app.services.runs.execution\n"
            "from traceiq_app.services.observability import tracing\n"
            "create_api()\n"
            "with tracing.span('x') as s: assert s is None\n"
            "assert tracing.inject() is None and not tracing.active()\n"
            "from opentelemetry import trace\n"
            "assert type(trace.get_tracer_provider()).__name__ == 'ProxyTracerProvider'\n"
            "print(sorted(m for m in sys.modules if m.startswith(OURS)))\n")
    env = {k: v for k, v in stack.env.items() if not k.startswith("OTEL_")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
