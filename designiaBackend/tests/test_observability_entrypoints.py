"""The production entry points set tracing up from the OTEL_* variables: the WSGI application
(gunicorn) and the ASGI one (daphne: HTTP and WebSocket events), with the console exporter."""

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from authentication.tests.factories import UserFactory
from conftest import bearer_for, start_daphne

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_TRACING = {
    "OTEL_TRACES_EXPORTER": "console",
    "OTEL_BSP_SCHEDULE_DELAY": "50",
    "OTEL_PYTHON_DJANGO_EXCLUDED_URLS": "api/health/ready",
}


def console_spans(text):
    """The span objects the console exporter printed (pretty JSON, one after the other)."""
    decoder, spans, index = json.JSONDecoder(), [], 0
    while (index := text.find('{\n    "name"', index)) != -1:
        span, end = decoder.raw_decode(text, index)
        spans.append(span)
        index = end
    return spans


WSGI_REQUEST = """
import io, sys
from wsgiref.util import setup_testing_defaults
from designiaBackend.wsgi import application
environ = {"PATH_INFO": "/api/health/live/", "HTTP_X_REQUEST_ID": "req-wsgi-000001", "HTTP_HOST": "localhost"}
setup_testing_defaults(environ)
statuses = []
body = b"".join(application(environ, lambda status, headers: statuses.append(status)))
print("STATUS", statuses[0], body.decode(), file=sys.stderr)
"""


def test_the_wsgi_application_traces_requests_when_the_environment_asks():
    env = {**os.environ, **CONSOLE_TRACING, "OTEL_SERVICE_NAME": "designia-api-test"}
    result = subprocess.run(
        [sys.executable, "-c", WSGI_REQUEST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert 'STATUS 200 OK {"status":"ok"}' in result.stderr
    (span,) = [span for span in console_spans(result.stdout) if span["kind"] == "SpanKind.SERVER"]
    assert span["name"] == "GET api/health/live/"
    assert span["attributes"]["http.request_id"] == "req-wsgi-000001"
    assert span["resource"]["attributes"]["service.name"] == "designia-api-test"


def test_without_otel_variables_the_wsgi_application_exports_nothing():
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    result = subprocess.run(
        [sys.executable, "-c", WSGI_REQUEST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "STATUS 200 OK" in result.stderr
    assert console_spans(result.stdout) == []


@pytest.fixture
def traced_daphne(transactional_db):
    server = start_daphne({**CONSOLE_TRACING, "OTEL_SERVICE_NAME": "designia-ws-test"})
    yield server
    server.stop()


def _wait_for_spans(server, names, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spans = console_spans(server.log_path.read_text())
        if names <= {span["name"] for span in spans}:
            return spans
        time.sleep(0.1)
    raise AssertionError(f"spans {names} not exported:\n{server.log_path.read_text()[-3000:]}")


@pytest.mark.live_server_process
def test_daphne_traces_http_requests_and_each_websocket_event(traced_daphne):
    user = UserFactory()
    token = bearer_for(user).removeprefix("Bearer ")

    async def converse():
        url = f"{traced_daphne.ws_url}/ws/activity/?token={token}"
        async with connect(
            url, origin="http://localhost:5173", additional_headers={"X-Request-ID": "req-socket-daphne1"}
        ) as socket:
            assert json.loads(await socket.recv())["type"] == "connection_success"
            await socket.send(json.dumps({"type": "ping"}))
            assert json.loads(await socket.recv()) == {"type": "pong"}

    asyncio.run(converse())
    spans = _wait_for_spans(
        traced_daphne,
        {
            "WS ActivityConsumer websocket.connect",
            "WS ActivityConsumer websocket.receive",
            "WS ActivityConsumer websocket.disconnect",
        },
    )
    socket_spans = [span for span in spans if span["name"].startswith("WS ActivityConsumer")]
    assert {span["attributes"]["http.request_id"] for span in socket_spans} == {"req-socket-daphne1"}
    assert {span["resource"]["attributes"]["service.name"] for span in socket_spans} == {"designia-ws-test"}
    connect_span = next(s for s in socket_spans if s["name"].endswith("connect"))
    assert connect_span["attributes"]["enduser.id"] == str(user.pk)
    # The token in the query string is never recorded.
    assert token not in traced_daphne.log_path.read_text()
