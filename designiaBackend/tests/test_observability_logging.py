"""Request ids on every request and response, log records without secrets, JSON logs."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from designiaBackend.observability.context import bind_request_id, get_request_id, reset_request_id
from designiaBackend.observability.logs import ContextFilter, JsonFormatter, RedactingFilter, redact

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# --- X-Request-ID ---------------------------------------------------------------------------------


def test_a_valid_incoming_request_id_is_kept(api_client):
    request_id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"  # what Kong's correlation-id plugin sends
    response = api_client.get("/api/health/live/", HTTP_X_REQUEST_ID=request_id)
    assert response["X-Request-ID"] == request_id


def test_a_request_without_id_gets_a_new_one_each_time(api_client):
    first = api_client.get("/api/health/live/")["X-Request-ID"]
    second = api_client.get("/api/health/live/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.parametrize(
    "bad",
    [
        "short",
        "x" * 129,
        "id with spaces 123",
        "abc\r\nSet-Cookie: a=b",
        "<script>alert(1)</script>",
        "-leading-dash",
    ],
)
def test_a_malformed_incoming_request_id_is_replaced(api_client, bad):
    response = api_client.get("/api/health/live/", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_errors_and_cors_preflights_carry_the_request_id_too(api_client):
    not_found = api_client.get("/api/not-a-route/", HTTP_X_REQUEST_ID="req-404-00000001")
    assert not_found.status_code == 404
    assert not_found["X-Request-ID"] == "req-404-00000001"
    preflight = api_client.options(
        "/api/health/live/",
        HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_X_REQUEST_ID="req-options-0001",
    )
    assert preflight.status_code == 200
    assert preflight["X-Request-ID"] == "req-options-0001"


def test_browsers_may_read_the_request_id_of_cross_origin_responses(api_client):
    response = api_client.get("/api/health/live/", HTTP_ORIGIN="http://localhost:5173")
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response["Access-Control-Expose-Headers"] == "X-Request-ID"
    assert response["X-Request-ID"]


def test_the_request_id_is_only_bound_while_the_request_runs(api_client):
    api_client.get("/api/health/live/", HTTP_X_REQUEST_ID="req-bound-000001")
    assert get_request_id() is None


# --- log records -------------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """The project's console handler set-up (filters + JSON formatter) on a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_log_lines_of_a_request_carry_its_request_id(client, settings, json_log):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = "token-for-this-test-000000"
    response = client.get("/metrics", REMOTE_ADDR="198.51.100.7", HTTP_X_REQUEST_ID="req-logged-00001")
    assert response.status_code == 403
    (entry,) = [e for e in json_log() if e["logger"] == "designiaBackend.observability.exposition"]
    assert entry["message"] == "Refused /metrics to 198.51.100.7"
    assert entry["request_id"] == "req-logged-00001"
    assert entry["level"] == "WARNING"


def test_django_request_log_lines_of_refused_requests_carry_the_request_id(api_client, json_log):
    response = api_client.get("/api/not-here/?token=abc123", HTTP_X_REQUEST_ID="req-not-found-01")
    assert response.status_code == 404
    (entry,) = [e for e in json_log() if e["logger"] == "django.request"]
    assert entry["message"] == "Not Found: /api/not-here/"
    assert entry["request_id"] == "req-not-found-01"
    assert entry["status_code"] == 404
    assert entry["request"] == "<WSGIRequest: GET '/api/not-here/?token=[REDACTED]'>"


def test_json_lines_have_the_documented_fields(json_log):
    logger = logging.getLogger("designia.test")
    token = bind_request_id("req-json-000001")
    try:
        logger.info("order %s placed", 42, extra={"order_id": 42, "amount": "12.50"})
    finally:
        reset_request_id(token)
    (entry,) = json_log()
    assert entry["message"] == "order 42 placed"
    assert entry["logger"] == "designia.test"
    assert entry["level"] == "INFO"
    assert entry["request_id"] == "req-json-000001"
    assert entry["trace_id"] is None and entry["span_id"] is None  # no span: tracing is off
    assert entry["order_id"] == 42 and entry["amount"] == "12.50"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["timestamp"])


def test_exceptions_are_logged_with_their_traceback_and_without_secrets(json_log):
    try:
        raise RuntimeError("Stripe refused key sk_live_EXAMPLE")
    except RuntimeError:
        logging.getLogger("designia.test").exception("charge failed for Authorization: Bearer abc.def.ghi")
    (entry,) = json_log()
    assert entry["message"] == "charge failed for Authorization: [REDACTED]"
    assert "Traceback (most recent call last)" in entry["exception"]
    assert "RuntimeError: Stripe refused key [REDACTED]" in entry["exception"]
    assert "sk_live" not in json.dumps(entry)


def test_secret_extra_fields_are_redacted(json_log):
    logging.getLogger("designia.test").warning(
        "login", extra={"password": "hunter2", "headers": {"Authorization": "Bearer x", "Accept": "json"}}
    )
    (entry,) = json_log()
    assert entry["password"] == "[REDACTED]"
    assert entry["headers"] == {"Authorization": "[REDACTED]", "Accept": "json"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig", "Authorization: [REDACTED]"),
        ("{'Authorization': 'Basic dXNlcjpwYXNz'}", "{'Authorization': '[REDACTED]'}"),
        (
            "GET /ws/activity/?token=eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxfQ.sig",
            "GET /ws/activity/?token=[REDACTED]",
        ),
        ('{"email": "a@b.co", "password": "two words"}', '{"email": "a@b.co", "password": "[REDACTED]"}'),
        ("password_confirm=abc&email=a@b.co", "password_confirm=[REDACTED]&email=a@b.co"),
        ('"refresh": "eyJhbGciOiJIUzI1NiJ9.eyJ0IjoxfQ.sig"', '"refresh": "[REDACTED]"'),
        ("refresh_token: r-123 access_token=a-456", "refresh_token: [REDACTED] access_token=[REDACTED]"),
        ("keys sk_test_abc123 rk_live_xyz whsec_s3cr3t", "keys [REDACTED] [REDACTED] [REDACTED]"),
        ("secret cs_test_a1B2c3_secret_Zz9", "secret cs_test_a1B2c3_secret_[REDACTED]"),
        ("STRIPE_WEBHOOK_SECRET=whsec_1", "STRIPE_WEBHOOK_SECRET=[REDACTED]"),
        ("Cookie: sessionid=abc; csrftoken=def", "Cookie: [REDACTED]; csrftoken=[REDACTED]"),
        (
            "publishable pk_test_123 stays, order 42 code=out_of_stock",
            "publishable pk_test_123 stays, order 42 code=out_of_stock",
        ),
        ("Token expired for user 7", "Token expired for user 7"),
    ],
)
def test_redaction(text, expected):
    assert redact(text) == expected


# --- format chosen by the environment --------------------------------------------------------------


def _django_log_line(extra_env):
    code = (
        "import logging, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "print(settings.LOG_FORMAT, flush=True)\n"
        "logging.getLogger('designia.check').warning('hello password=pw1')\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "LOG_FORMAT"}
    env.update({"DJANGO_SETTINGS_MODULE": "designiaBackend.settings", **extra_env})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), result.stderr.strip()


PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "a-production-secret-key-for-this-test-only-0123456789",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "PAYMENT_GATEWAY": "stripe",
    "DATABASE_URL": "mysql://root@127.0.0.1:3306/designia_obs",
}


def test_production_logs_json_by_default():
    chosen, line = _django_log_line(PRODUCTION_ENV)
    assert chosen == "json"
    entry = json.loads(line)
    assert entry["message"] == "hello password=[REDACTED]"
    assert entry["logger"] == "designia.check"


def test_development_logs_plain_text_and_log_format_overrides():
    chosen, line = _django_log_line({"DEBUG": "True"})
    assert chosen == "text"
    assert re.fullmatch(r"\S+ \S+ WARNING designia\.check \[\] hello password=\[REDACTED\]", line)
    chosen, line = _django_log_line({"DEBUG": "True", "LOG_FORMAT": "json"})
    assert chosen == "json"
    assert json.loads(line)["level"] == "WARNING"


def test_django_loggers_print_once_through_the_filtered_handler():
    code = (
        "import logging, django\n"
        "django.setup()\n"
        "logging.getLogger('django.request').warning('Not Found: /ws/activity/?token=abc123')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "designiaBackend.settings",
        "DEBUG": "True",
        "LOG_FORMAT": "text",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.endswith("WARNING django.request [] Not Found: /ws/activity/?token=[REDACTED]")
