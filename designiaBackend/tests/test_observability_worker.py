"""Through a real Celery worker (prefork, multi-process metrics, OTLP export): one trace from an
HTTP request into the task, the task metrics, and worker log lines tied to the request.

The worker runs with ``PROMETHEUS_MULTIPROC_DIR`` and ``CELERY_METRICS_PORT`` as in production,
and exports its spans over OTLP/HTTP to a small collector in this test process, so the spans of
both processes can be compared. The test process records its own spans in memory.
"""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from designiaBackend.celery import app as celery_app
from designiaBackend.celery import ping
from designiaBackend.observability.tracing import configure_tracing, shutdown_tracing

ROOT = Path(__file__).resolve().parents[2]
QUEUE = f"observability-test-{uuid.uuid4().hex[:8]}"  # this run's worker listens only here


# --- test-only tasks and URL (the worker imports this module with --include) -------------------


@celery_app.task(name="observability_test.flaky", bind=True, max_retries=3)
def flaky(self, failures):
    """Asks to be retried ``failures`` times, then succeeds."""
    if self.request.retries < failures:
        raise self.retry(countdown=0)
    return "done"


@celery_app.task(name="observability_test.broken")
def broken():
    raise ValueError("card declined, password=hunter2")


def enqueue(request):
    result = ping.apply_async(args=["traced"], queue=QUEUE)
    return JsonResponse({"task_id": result.id})


urlpatterns = [path("observability-test/enqueue/", enqueue, name="observability-test-enqueue")]


# --- a minimal OTLP/HTTP collector ----------------------------------------------------------------


class Collector:
    def __init__(self):
        self.spans = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.receive(body)
                payload = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/traces"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def receive(self, body):
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        {
                            "name": span.name,
                            "service": service.get("service.name"),
                            "trace_id": span.trace_id.hex(),
                            "span_id": span.span_id.hex(),
                            "parent_span_id": span.parent_span_id.hex(),
                        }
                    )

    def wait_for(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [span for span in self.spans if span["name"] == name]
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no span {name!r} exported; got {[s['name'] for s in self.spans]}")


def _database_url():
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.mysql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"mysql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Worker:
    def __init__(self, process, log_path, metrics_dir, metrics_port):
        self.process, self.log_path = process, log_path
        self.metrics_dir, self.metrics_port = metrics_dir, metrics_port

    def log_entries(self):
        entries = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                entries.append(json.loads(line))
        return entries

    def scrape(self):
        with urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:  # noqa: S310
            return {
                (sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(response.read().decode())
                for sample in family.samples
            }


@pytest.fixture(scope="module")
def collector():
    collector = Collector()
    yield collector
    collector.server.shutdown()


@pytest.fixture(scope="module")
def worker(django_db_setup, collector, tmp_path_factory):
    if not settings.REDIS_URL:
        pytest.fail("The worker tests need Redis: set REDIS_URL.")
    metrics_dir = tmp_path_factory.mktemp("prometheus-multiproc")
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    metrics_port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "CELERY_RESULT_BACKEND": settings.REDIS_URL,
        "CELERY_KEY_PREFIX": celery_app.conf.broker_transport_options.get("global_keyprefix", ""),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "CELERY_METRICS_PORT": str(metrics_port),
        "LOG_FORMAT": "json",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url,
        "OTEL_SERVICE_NAME": "designia-worker-test",
        "OTEL_BSP_SCHEDULE_DELAY": "50",
    }
    command = [sys.executable, "-m", "celery", "-A", "designiaBackend", "worker", "-Q", QUEUE]
    command += ["--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle"]
    command += ["--include", __name__, "-n", f"observability-{uuid.uuid4().hex[:6]}@%h"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process, log_path, metrics_dir, metrics_port)
    try:
        _wait_until_serving(worker)
        yield worker
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_serving(worker):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited:\n{worker.log_path.read_text()[-3000:]}")
        if celery_app.control.ping(timeout=0.5) and _metrics_port_open(worker):
            return
    pytest.fail(f"The worker did not start:\n{worker.log_path.read_text()[-3000:]}")


def _metrics_port_open(worker):
    try:
        worker.scrape()
    except OSError:
        return False
    return True


@pytest.fixture
def through_broker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def spans():
    """This process's spans, in memory; the instrumentations are removed afterwards."""
    exporter = InMemorySpanExporter()
    configure_tracing(span_processors=[SimpleSpanProcessor(exporter)], set_global=False)
    yield exporter
    shutdown_tracing()


def _run(signature):
    return signature.apply_async(queue=QUEUE).get(timeout=30, propagate=False)


def test_one_trace_from_the_http_request_into_the_celery_task(
    db, client, worker, collector, spans, through_broker, settings
):
    settings.ROOT_URLCONF = __name__
    response = client.get("/observability-test/enqueue/", HTTP_X_REQUEST_ID="req-trace-0001")
    assert response.status_code == 200
    task_id = response.json()["task_id"]
    assert celery_app.AsyncResult(task_id).get(timeout=30) == "traced"

    local = spans.get_finished_spans()
    (server,) = [span for span in local if span.kind == SpanKind.SERVER]
    (publish,) = [span for span in local if span.name == "apply_async/designiaBackend.ping"]
    trace_id = format(server.context.trace_id, "032x")
    assert format(publish.context.trace_id, "032x") == trace_id
    assert publish.parent.span_id == server.context.span_id
    assert server.attributes["http.request_id"] == "req-trace-0001"

    (run,) = collector.wait_for("run/designiaBackend.ping")
    assert run["service"] == "designia-worker-test"
    assert run["trace_id"] == trace_id
    assert run["parent_span_id"] == format(publish.context.span_id, "016x")

    # The worker's log line about this task names the request and the trace.
    (line,) = _wait_for_log(worker, f"designiaBackend.ping[{task_id}] succeeded")
    assert line["request_id"] == "req-trace-0001"
    assert line["trace_id"] == trace_id


def _wait_for_log(worker, fragment, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [entry for entry in worker.log_entries() if fragment in entry["message"]]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no log line with {fragment!r}:\n{worker.log_path.read_text()[-3000:]}")


def _samples_once(read, expected, timeout=15):
    """Read metrics until ``expected(samples)`` holds: a task's result is stored a moment before
    its ``task_postrun`` signal counts it."""
    deadline = time.monotonic() + timeout
    while True:
        samples = read()
        if expected(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.05)


def _key(task, sample, **labels):
    return (sample, tuple(sorted({"task": task, "queue": QUEUE, **labels}.items())))


def test_task_runs_failures_and_retries_are_counted_per_task_and_queue(worker, through_broker):
    before = worker.scrape()
    assert _run(flaky.s(2)) == "done"
    assert isinstance(_run(broken.s()), ValueError)
    counted_last = (
        _key("observability_test.flaky", "designia_celery_tasks_total", state="success"),
        _key("observability_test.broken", "designia_celery_tasks_total", state="failure"),
    )
    after = _samples_once(
        worker.scrape, lambda samples: all(samples.get(k, 0) > before.get(k, 0) for k in counted_last)
    )

    def moved(task, sample, **labels):
        key = _key(task, sample, **labels)
        return after.get(key, 0) - before.get(key, 0)

    assert moved("observability_test.flaky", "designia_celery_tasks_total", state="success") == 1
    assert moved("observability_test.flaky", "designia_celery_tasks_total", state="retry") == 2
    assert moved("observability_test.flaky", "designia_celery_tasks_total", state="failure") == 0
    assert moved("observability_test.flaky", "designia_celery_task_duration_seconds_count") == 3
    assert moved("observability_test.broken", "designia_celery_tasks_total", state="failure") == 1
    assert moved("observability_test.broken", "designia_celery_tasks_total", state="success") == 0

    # The failure is logged with its traceback, and the secret in the message is not.
    (line,) = _wait_for_log(worker, "raised unexpected: ValueError")
    assert "card declined, password=[REDACTED]" in line["exception"] + line["message"]
    assert "hunter2" not in worker.log_path.read_text()


@pytest.mark.django_db  # /metrics reads the outbox backlog from the database
def test_the_django_metrics_endpoint_aggregates_the_worker_processes(
    worker, client, settings, monkeypatch, through_broker
):
    key = _key("designiaBackend.ping", "designia_celery_tasks_total", state="success")
    before = worker.scrape().get(key, 0)
    assert _run(ping.s("counted")) == "counted"
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(worker.metrics_dir))

    def read():
        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
        assert response.status_code == 200
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    samples = _samples_once(read, lambda samples: samples.get(key, 0) > before)
    assert samples.get(key, 0) == before + 1
    # The same figures as read straight from the worker's files and from its own port.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(worker.metrics_dir))
    assert registry.get_sample_value(key[0], dict(key[1])) == before + 1
    assert worker.scrape()[key] == before + 1
