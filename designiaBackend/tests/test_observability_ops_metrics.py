"""The metrics the alert rules read (infrastructure/prometheus/alerts/), served by ``GET /metrics``:
queue depth and oldest task age from the broker, the readiness checks, periodic task successes,
webhook processing lag and payout states."""

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
import redis
import time_machine
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET, STRIPE_TEST_WEBHOOK_SECRET
from designiaBackend.celery import ping
from designiaBackend.tests.ops.stack import celery_broker, free_port
from payment_system.Tasks import check_payment_timeouts_task
from payment_system.tests.connect_factories import StripeConnectAccountFactory
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.stripe_objects import stripe_payout

pytestmark = pytest.mark.django_db
TOKEN = "ops-metrics-token-0123456789"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TIMEOUTS_TASK = "payment_system.Tasks.payment_tasks.check_payment_timeouts_task"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def read():
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        return {
            (item.name, tuple(sorted(item.labels.items()))): item.value
            for family in text_string_to_metric_families(response.content.decode())
            for item in family.samples
        }

    return read


def test_queue_length_and_oldest_task_age_come_from_the_broker(scrape, settings):
    prefix = f"ops-metrics-{uuid.uuid4().hex[:8]}:"  # no worker listens under this prefix
    with celery_broker(settings.REDIS_URL, prefix):
        ping.apply_async(args=["oldest"], headers={"x_published_at": time.time() - 120})
        ping.apply_async(args=["newest"])
        samples = scrape()
    redis.Redis.from_url(settings.REDIS_URL).delete(f"{prefix}marketplace_tasks")

    def gauge(name, queue):
        return samples[(name, (("queue", queue),))]

    assert gauge("designia_celery_queue_length", "marketplace_tasks") == 2
    assert gauge("designia_celery_queue_length", "payment_tasks") == 0
    assert 120 <= gauge("designia_celery_queue_oldest_task_age_seconds", "marketplace_tasks") < 130
    assert gauge("designia_celery_queue_oldest_task_age_seconds", "payment_tasks") == 0


def test_dependency_up_follows_the_readiness_checks(scrape, client, settings):
    assert scrape()[("designia_dependency_up", (("dependency", "redis"),))] == 1
    settings.CACHES = {
        "default": {
            "BACKEND": "designiaBackend.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    samples = scrape()
    assert samples[("designia_dependency_up", (("dependency", "redis"),))] == 0
    assert samples[("designia_dependency_up", (("dependency", "database"),))] == 1
    assert samples[("designia_dependency_up", (("dependency", "storage"),))] == 1
    ready = client.get("/api/health/ready/")
    assert (ready.status_code, ready.json()["checks"]["redis"]) == (503, "failing")


def test_a_periodic_task_success_is_exported_with_its_time(scrape):
    assert not any(name == "designia_periodic_task_last_success_timestamp_seconds" for name, _ in scrape())
    with time_machine.travel(NOW, tick=False):
        check_payment_timeouts_task.delay()
        ping.delay("not scheduled by beat")
    exported = {
        labels: value
        for (name, labels), value in scrape().items()
        if name == "designia_periodic_task_last_success_timestamp_seconds"
    }
    assert exported == {(("task", TIMEOUTS_TASK),): NOW.timestamp()}


def _post(client, url, body, secret):
    payload = json.dumps(body)
    return client.post(
        url,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, secret),
    )


def _lag(sample, **labels):
    return REGISTRY.get_sample_value(f"designia_webhook_processing_lag_seconds_{sample}", labels) or 0


def test_webhook_lag_is_observed_once_per_event(api_client, fake_stripe):
    before = {
        ("count",): _lag("count"),
        ("sum",): _lag("sum"),
        ("bucket", "60.0"): _lag("bucket", le="60.0"),
        ("bucket", "120.0"): _lag("bucket", le="120.0"),
    }
    with time_machine.travel(NOW, tick=False):
        late = event("customer.created", {"id": "cus_1"}, created=int(NOW.timestamp()) - 90)
        for _ in range(2):  # the redelivery is a duplicate: not observed again
            response = _post(api_client, "/api/payments/stripe_webhook/", late, STRIPE_TEST_WEBHOOK_SECRET)
            assert response.status_code == 200
    assert _lag("count") == before[("count",)] + 1
    assert _lag("sum") == before[("sum",)] + 90
    assert _lag("bucket", le="60.0") == before[("bucket", "60.0")]
    assert _lag("bucket", le="120.0") == before[("bucket", "120.0")] + 1


def test_payout_states_are_counted_from_connect_events(api_client, fake_stripe):
    StripeConnectAccountFactory(stripe_account_id="acct_1Ops")

    def failed():
        return REGISTRY.get_sample_value("designia_payout_updates_total", {"status": "failed"}) or 0

    before = failed()
    body = event("payout.failed", stripe_payout(status="failed"), account="acct_1Ops")
    url = "/api/payments/stripe_connect_webhook/"
    assert _post(api_client, url, body, STRIPE_TEST_CONNECT_WEBHOOK_SECRET).status_code == 200
    assert _post(api_client, url, body, STRIPE_TEST_CONNECT_WEBHOOK_SECRET).status_code == 200  # redelivery
    assert failed() == before + 1


def test_the_outbox_backlog_counts_the_messages_not_done_and_the_age_of_the_oldest(scrape, settings):
    from datetime import timedelta

    from django.utils import timezone

    from designiaBackend.outbox.models import OutboxMessage

    def backlog():
        samples = scrape()
        return {
            state: (
                samples[("designia_outbox_pending", (("state", state),))],
                samples[("designia_outbox_oldest_pending_age_seconds", (("state", state),))],
            )
            for state in ("waiting", "given_up")
        }

    assert backlog() == {"waiting": (0, 0), "given_up": (0, 0)}

    now = timezone.now()
    for key, age, done, attempts in (
        ("old-waiting", 1800, False, 2),
        ("new-waiting", 10, False, 0),
        ("done-long-ago", 7200, True, 0),  # done: not pending, whatever its age
        ("given-up", 3600, False, settings.OUTBOX_MAX_ATTEMPTS),
    ):
        message = OutboxMessage.objects.create(
            key=key, task="t", attempts=attempts, done_at=now if done else None
        )
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=now - timedelta(seconds=age))

    pending = backlog()
    assert pending["waiting"][0] == 2 and 1800 <= pending["waiting"][1] < 1830
    assert pending["given_up"][0] == 1 and 3600 <= pending["given_up"][1] < 3630

    OutboxMessage.objects.filter(key="old-waiting").update(done_at=now)
    pending = backlog()
    assert pending["waiting"][0] == 1 and 10 <= pending["waiting"][1] < 40
