"""Scale: saved-search digest batches on a real Celery worker, e-mailing a local SMTP server
(``tests.fixtures.smtp.SmtpSink``): a batch's e-mails go over one SMTP connection; a batch killed
(SIGKILL) in the middle, then delivered again (as the broker does with an unacknowledged task),
gives every buyer exactly one notification and one e-mail."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from authentication.tests.factories import UserFactory
from designiaBackend.celery import app as celery_app
from designiaBackend.outbox.models import OutboxMessage
from marketplace.alerts.models import SavedSearch
from marketplace.alerts.tasks import saved_search_digest_batch_task
from marketplace.tests.ordering_factories import OrderingProductFactory
from notifications.models import Notification
from tests.fixtures.db import database_url_for_processes
from tests.fixtures.processes import ROOT, _use_prefixed_broker, _wait_for_worker
from tests.fixtures.smtp import SmtpSink

pytestmark = [pytest.mark.live_server_process, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 120


def start_worker(prefix, smtp_port):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "CELERY_RESULT_BACKEND": settings.REDIS_URL,
        "CELERY_KEY_PREFIX": prefix,
        "CACHE_KEY_PREFIX": f"{prefix}cache",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }
    name = f"celery-kill-{os.getpid()}-{uuid.uuid4().hex[:6]}.log"
    log = open(ROOT / ".pytest_cache" / name, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "designiaBackend", "worker", "-Q", "marketplace_tasks,email_tasks",
         "--pool=solo", "--without-gossip", "--without-mingle", "-l", "info",
         "-n", f"kill-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    _wait_for_worker(process, log)
    return process, log


def wait_until(condition, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def own_broker():
    """This test's tasks under a key prefix of their own; the app's broker settings come back after."""
    saved = (
        celery_app.conf.broker_url,
        celery_app.conf.result_backend,
        celery_app.conf.broker_transport_options,
    )
    prefix = f"test-kill-{uuid.uuid4().hex[:12]}:"
    _use_prefixed_broker(settings.REDIS_URL, prefix)
    celery_app.conf.task_always_eager = False
    yield prefix
    celery_app.conf.task_always_eager = True
    celery_app.conf.broker_url, celery_app.conf.result_backend, celery_app.conf.broker_transport_options = (
        saved
    )
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.serve_normally()
    yield sink
    sink.close()


def searches_with_a_new_match(count):
    buyers = [UserFactory() for _ in range(count)]
    yesterday = timezone.now() - timedelta(days=1)
    searches = [
        SavedSearch.objects.create(user=b, query="", filters={}, checked_until=yesterday) for b in buyers
    ]
    OrderingProductFactory(name="Oak Table")  # new since yesterday: matches every search
    return buyers, [search.pk for search in searches]


def test_a_batch_of_digests_is_emailed_over_one_smtp_connection_once(own_broker, smtp):
    buyers, ids = searches_with_a_new_match(5)
    until = timezone.now().isoformat()
    worker, log = start_worker(own_broker, smtp.port)
    try:
        assert (
            saved_search_digest_batch_task.delay(search_ids=ids, until=until).get(timeout=WAIT_SECONDS) == 5
        )
        wait_until(lambda: len(smtp.recipients) >= 5, "five e-mails")
        # The batch again (a redelivery, a retry): no notification and no e-mail again.
        assert (
            saved_search_digest_batch_task.delay(search_ids=ids, until=until).get(timeout=WAIT_SECONDS) == 0
        )
        wait_until(
            lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), "the outbox worked off"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()

    assert sorted(smtp.recipients) == sorted(b.email for b in buyers)
    assert smtp.connections == 1  # the killed run's two e-mails went with the third
    assert smtp.connections == 1
    assert list(OutboxMessage.objects.values_list("task", flat=True)) == [
        "notifications.tasks.notification_emails_send_task"
    ]
    assert not Notification.objects.filter(kind="saved_search_match", emailed_at__isnull=True).exists()


def test_a_batch_killed_midway_and_delivered_again_sends_no_duplicate(own_broker, smtp):
    buyers, ids = searches_with_a_new_match(3)
    yesterday = SavedSearch.objects.get(pk=ids[0]).checked_until
    until = timezone.now().isoformat()

    worker, log = start_worker(own_broker, smtp.port)
    try:
        with transaction.atomic():  # hold the third search: the batch stops there, two done
            SavedSearch.objects.select_for_update().get(pk=ids[2])
            saved_search_digest_batch_task.delay(search_ids=ids, until=until)
            wait_until(
                lambda: SavedSearch.objects.filter(pk__in=ids[:2], checked_until__gt=yesterday).count() == 2,
                "the first two searches of the batch",
            )
            worker.kill()  # SIGKILL in the middle of the batch
            worker.wait(timeout=30)
        # Stored and committed, their e-mails not queued yet (the batch queues them at its end).
        assert Notification.objects.filter(kind="saved_search_match").count() == 2
        assert smtp.recipients == []

        worker, log = start_worker(own_broker, smtp.port)
        # The unacknowledged batch comes again, as the broker redelivers it; then a last batch
        # proves the queue before it has been worked off (one worker, one task at a time).
        saved_search_digest_batch_task.delay(search_ids=ids, until=until)
        assert (
            saved_search_digest_batch_task.delay(search_ids=ids, until=until).get(timeout=WAIT_SECONDS) == 0
        )
        wait_until(lambda: len(smtp.recipients) >= 3, "three e-mails")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()

    assert sorted(
        Notification.objects.filter(kind="saved_search_match").values_list("recipient_id", flat=True)
    ) == sorted(b.pk for b in buyers)
    assert sorted(smtp.recipients) == sorted(b.email for b in buyers)
    assert smtp.connections == 1  # the killed run's two e-mails went with the third
