"""One production-like stack for the ops tests of this package (started once, stopped at the end)."""

import pytest
from django.conf import settings

from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET, STRIPE_TEST_WEBHOOK_SECRET
from designiaBackend.tests.ops.stack import (
    Stack,
    free_port,
    start_flower,
    start_gunicorn,
    start_prometheus,
    start_websockets,
    start_worker,
    through_stack_broker,
    wait_for_scrapes,
    wait_for_worker,
)

METRICS_TOKEN = "ops-test-metrics-token-0123456789"  # noqa: S105 - shared with the processes only


@pytest.fixture(scope="package")
def stack(django_db_setup, _fake_stripe_server, tmp_path_factory):
    if not settings.REDIS_URL:
        pytest.fail("The ops tests need Redis: set REDIS_URL.")
    extra_env = {
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_API_BASE": _fake_stripe_server.url,
        "STRIPE_WEBHOOK_SECRET": STRIPE_TEST_WEBHOOK_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": STRIPE_TEST_CONNECT_WEBHOOK_SECRET,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # As in the compose stack: /metrics only with the bearer token, no trusted network.
        "METRICS_TOKEN": METRICS_TOKEN,
        "METRICS_ALLOWED_NETWORKS": "",
        "LOG_LEVEL": "WARNING",
    }
    running = Stack.create(tmp_path_factory.mktemp("ops-stack"), settings.REDIS_URL, extra_env)
    try:
        running.api = start_gunicorn(running)
        running.ws = start_websockets(running)
        # The worker's e-mails go to a closed SMTP port: each one is retried (OSError), as a real
        # outage would make it, so the retry panels have data.
        running.worker = start_worker(
            running,
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(free_port()),
                "EMAIL_TIMEOUT": "2",
            },
        )
        running.flower = start_flower(running)
        targets = {
            "api:8000": f"127.0.0.1:{running.api.port}",
            "ws:8001": f"127.0.0.1:{running.ws.port}",
            "worker:9808": f"127.0.0.1:{running.worker.port}",
            "flower:5555": f"127.0.0.1:{running.flower.port}",
        }
        running.prometheus = start_prometheus(running, targets, METRICS_TOKEN)
        wait_for_scrapes(running.prometheus, {"django", "celery", "flower", "prometheus"})
        with through_stack_broker(running):
            wait_for_worker(running.worker)
            yield running
    finally:
        running.stop()
