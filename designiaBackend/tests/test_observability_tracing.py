"""OpenTelemetry in this process: spans for requests, the database, Redis, outgoing HTTP, S3 and
WebSocket events, and log records tied to their span. (The trace that continues into a real
Celery worker is in test_observability_worker.py.)"""

import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import connection
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from authentication.tests.factories import UserFactory
from chat.consumers import ActivityConsumer
from designiaBackend.observability import tracing
from designiaBackend.observability.logs import ContextFilter, JsonFormatter, RedactingFilter


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.configure_tracing(span_processors=[SimpleSpanProcessor(exporter)], set_global=False)
    yield exporter
    tracing.shutdown_tracing()


def hex_trace(span):
    return format(span.context.trace_id, "032x")


def children_of(spans, parent):
    return [span for span in spans if span.parent and span.parent.span_id == parent.context.span_id]


def test_tracing_is_off_unless_the_environment_asks(monkeypatch):
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert tracing.tracing_requested() is False
    assert tracing.configure_tracing() is False
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracing.tracing_requested() is False
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    assert tracing.tracing_requested() is True
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing.tracing_requested() is False


def test_configured_from_the_environment_with_the_otlp_exporter(monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9/v1/traces")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "designia-api")
    (exporter,) = tracing._exporters_from_environment()
    assert type(exporter).__name__ == "OTLPSpanExporter"
    assert exporter._endpoint == "http://127.0.0.1:9/v1/traces"
    assert tracing._resource().attributes["service.name"] == "designia-api"
    monkeypatch.delenv("OTEL_SERVICE_NAME")
    assert tracing._resource().attributes["service.name"] == "designia-backend"


@pytest.mark.django_db(transaction=True)
def test_a_request_span_with_database_and_redis_children(client, spans, settings):
    connection.close()  # the next connection is opened through the instrumented driver
    response = client.get("/api/health/ready/", HTTP_X_REQUEST_ID="req-ready-000001")
    assert response.status_code == 200
    finished = spans.get_finished_spans()
    (server,) = [span for span in finished if span.kind == SpanKind.SERVER]
    assert server.attributes["http.route"] == "api/health/ready/"
    assert server.attributes["http.request_id"] == "req-ready-000001"
    assert (
        server.attributes.get("http.response.status_code", server.attributes.get("http.status_code")) == 200
    )
    descendants = [span for span in finished if hex_trace(span) == hex_trace(server) and span is not server]
    database = [span for span in descendants if span.attributes.get("db.system") == "mysql"]
    assert [span.attributes.get("db.statement") for span in database][-1] == "SELECT 1"
    if settings.REDIS_URL:
        redis_commands = {span.name for span in descendants if span.attributes.get("db.system") == "redis"}
        assert {"SET", "GET"} <= redis_commands


@pytest.mark.django_db
def test_log_records_carry_the_trace_and_span_of_the_request(client, spans, settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for log_filter in (ContextFilter(), RedactingFilter()):
        handler.addFilter(log_filter)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("designiaBackend.observability.exposition").addHandler(handler)
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "a-token-for-this-test", []
    try:
        response = client.get("/metrics", REMOTE_ADDR="198.51.100.8", HTTP_X_REQUEST_ID="req-trace-log-01")
    finally:
        logging.getLogger("designiaBackend.observability.exposition").removeHandler(handler)
    assert response.status_code == 403
    (server,) = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    (entry,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["trace_id"] == hex_trace(server)
    assert entry["span_id"] == format(server.context.span_id, "016x")
    assert entry["request_id"] == "req-trace-log-01"


class _HeaderRecorder(BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        _HeaderRecorder.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_outgoing_http_calls_are_spans_and_carry_the_trace_context(spans):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HeaderRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tracing.get_tracer("test").start_as_current_span("checkout") as parent:
            requests.get(f"http://127.0.0.1:{server.server_port}/v1/rates", timeout=5)
    finally:
        server.shutdown()
    finished = spans.get_finished_spans()
    (client_span,) = [s for s in children_of(finished, parent) if s.kind == SpanKind.CLIENT]
    assert client_span.name == "GET"
    traceparent = _HeaderRecorder.seen[-1]["traceparent"]
    assert traceparent.split("-")[1] == format(parent.context.trace_id, "032x")


@pytest.mark.django_db
def test_s3_calls_are_spans(spans, s3_storage):
    with tracing.get_tracer("test").start_as_current_span("upload") as parent:
        s3_storage.put_object(Bucket=s3_storage.bucket, Key="traced.txt", Body=b"x")
    finished = spans.get_finished_spans()
    (s3_span,) = [s for s in children_of(finished, parent) if s.attributes.get("rpc.service") == "S3"]
    assert s3_span.name == "S3.PutObject"


@pytest.mark.django_db(transaction=True)  # the consumer reads through database_sync_to_async
def test_websocket_connect_and_each_frame_are_spans(spans):
    user = UserFactory()

    async def converse():
        communicator = WebsocketCommunicator(
            ActivityConsumer.as_asgi(), "/ws/activity/", headers=[(b"x-request-id", b"req-socket-00001")]
        )
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from())["type"] == "connection_success"
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
        await communicator.disconnect()

    async_to_sync(converse)()
    socket_spans = [s for s in spans.get_finished_spans() if s.name.startswith("WS ActivityConsumer")]
    assert [s.name for s in socket_spans] == [
        "WS ActivityConsumer websocket.connect",
        "WS ActivityConsumer websocket.receive",
        "WS ActivityConsumer websocket.disconnect",
    ]
    for span in socket_spans:
        assert span.attributes["http.request_id"] == "req-socket-00001"
        assert span.attributes["url.path"] == "/ws/activity/"
        assert span.status.is_ok
    assert socket_spans[0].attributes["enduser.id"] == str(user.pk)
