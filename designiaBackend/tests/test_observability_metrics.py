"""``GET /metrics``: who may read it, what it serves, and the HTTP/database metrics of requests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from designiaBackend.observability import metrics
from designiaBackend.observability.exposition import mark_process_dead

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    return settings


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def parse(response):
    return {
        (item.name, tuple(sorted(item.labels.items()))): item.value
        for family in text_string_to_metric_families(response.content.decode())
        for item in family.samples
    }


def test_metrics_refused_without_the_token_from_an_unlisted_address(client, metrics_settings):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Not allowed to read the metrics.",
        "error": "Not allowed to read the metrics.",
        "code": "forbidden",
    }
    assert "designia_" not in response.content.decode()


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer ", TOKEN, f"Token {TOKEN}"])
def test_metrics_refused_with_a_wrong_token_or_scheme(client, metrics_settings, header):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=header)
    assert response.status_code == 403


def test_metrics_served_with_the_token(client, metrics_settings):
    metrics.LOGINS.labels(outcome="ok").inc()
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = parse(response)
    assert samples[("designia_logins_total", (("outcome", "ok"),))] == sample(
        "designia_logins_total", outcome="ok"
    )


def test_metrics_served_to_an_allowed_network_without_token(client, metrics_settings):
    response = client.get("/metrics", REMOTE_ADDR="10.20.3.4")
    assert response.status_code == 200
    assert "# TYPE designia_http_requests_total counter" in response.content.decode()


def test_a_token_alone_does_not_open_the_networks(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_metrics_do_not_exist_when_neither_token_nor_network_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_metrics_only_answer_get(client, metrics_settings):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


def test_loopback_is_allowed_by_default(client):
    # The embedded default: a Prometheus on the same host scrapes `make run` without a token.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_a_request_moves_the_request_counter_and_latency_of_its_view(api_client):
    labels = {"view": "health-live", "method": "GET", "status": "200"}
    before = sample("designia_http_requests_total", **labels)
    before_count = sample("designia_http_request_duration_seconds_count", view="health-live", method="GET")
    assert api_client.get("/api/health/live/").status_code == 200
    assert sample("designia_http_requests_total", **labels) == before + 1
    assert (
        sample("designia_http_request_duration_seconds_count", view="health-live", method="GET")
        == before_count + 1
    )


def test_unknown_paths_share_one_label_instead_of_their_raw_path(api_client):
    labels = {"view": "unresolved", "method": "GET", "status": "404"}
    before = sample("designia_http_requests_total", **labels)
    api_client.get("/api/no-such-thing/12345/")
    api_client.get("/api/another-missing-path/")
    assert sample("designia_http_requests_total", **labels) == before + 2
    exposed = "\n".join(str(metric.samples) for metric in REGISTRY.collect())
    assert "no-such-thing" not in exposed


def test_cors_preflights_are_counted_under_the_view_they_ask_about(api_client):
    labels = {"view": "health-live", "method": "OPTIONS", "status": "200"}
    before = sample("designia_http_requests_total", **labels)
    response = api_client.options(
        "/api/health/live/", HTTP_ORIGIN="http://localhost:5173", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response.status_code == 200
    assert sample("designia_http_requests_total", **labels) == before + 1


def test_database_queries_are_counted_per_view(api_client):
    # The readiness probe runs exactly one query (SELECT 1) on the database.
    before = sample("designia_db_queries_total", view="health-ready")
    assert api_client.get("/api/health/ready/").status_code == 200
    assert sample("designia_db_queries_total", view="health-ready") == before + 1


def test_multiprocess_mode_aggregates_every_process_files(client, metrics_settings, tmp_path, monkeypatch):
    """Two worker processes write their samples to PROMETHEUS_MULTIPROC_DIR; /metrics sums them."""
    script = (
        "import os\n"
        "from designiaBackend.observability import metrics\n"
        "metrics.CHECKOUT_FAILURES.labels(reason='empty_cart').inc(2)\n"
        "metrics.OPEN_SOCKETS.labels(consumer='ActivityConsumer').inc()\n"
        "print(os.getpid())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    pids = [
        int(
            subprocess.run(
                [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True
            ).stdout
        )
        for _ in range(2)
    ]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    sockets = ("designia_websocket_connections", (("consumer", "ActivityConsumer"),))

    samples = parse(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))
    assert samples[("designia_checkout_failures_total", (("reason", "empty_cart"),))] == 4
    assert samples[sockets] == 2

    # A process reported dead (gunicorn's child_exit, Celery's process shutdown) leaves the live
    # gauge; its counters stay in the totals.
    mark_process_dead(pids[0])
    samples = parse(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))
    assert samples[sockets] == 1
    assert samples[("designia_checkout_failures_total", (("reason", "empty_cart"),))] == 4


def test_tasks_run_inline_are_counted_under_the_inline_queue():
    from designiaBackend.celery import ping

    labels = {"task": "designiaBackend.ping", "queue": "inline"}
    before = sample("designia_celery_tasks_total", **labels, state="success")
    before_count = sample("designia_celery_task_duration_seconds_count", **labels)
    assert ping.delay("inline").get() == "inline"
    assert sample("designia_celery_tasks_total", **labels, state="success") == before + 1
    assert sample("designia_celery_task_duration_seconds_count", **labels) == before_count + 1
