"""Scale: a saved-search digest batch on a real Celery worker, killed (SIGKILL) in the middle of the
batch, then delivered again (as the broker does with an unacknowledged task): every buyer gets
exactly one notification and one e-mail (counted by a local SMTP server)."""

import os
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from authentication.tests.factories import UserFactory
from designiaBackend.celery import app as celery_app
from marketplace.alerts.models import SavedSearch
from marketplace.alerts.tasks import saved_search_digest_batch_task
from marketplace.tests.ordering_factories import OrderingProductFactory
from notifications.models import Notification
from tests.fixtures.db import database_url_for_processes
from tests.fixtures.processes import ROOT, _use_prefixed_broker, _wait_for_worker, free_port

pytestmark = [pytest.mark.live_server_process, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 120


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept messages; ``recipients`` has one entry per RCPT of each message."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port):
        self.recipients = []
        super().__init__(("127.0.0.1", port), SmtpHandler)


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 sink")
        rcpts = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "DATA":
                self.reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.recipients.extend(rcpts)
                rcpts = []
                self.reply("250 queued")
            elif verb == "RCPT":
                rcpts.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


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


def test_a_batch_killed_midway_and_delivered_again_sends_no_duplicate(own_broker):
    smtp = SmtpSink(free_port())
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    buyers = [UserFactory() for _ in range(3)]
    yesterday = timezone.now() - timedelta(days=1)
    searches = [
        SavedSearch.objects.create(user=b, query="", filters={}, checked_until=yesterday) for b in buyers
    ]
    OrderingProductFactory(name="Oak Table")  # new since yesterday: matches every search
    until = timezone.now().isoformat()
    ids = [search.pk for search in searches]

    worker, log = start_worker(own_broker, smtp.server_address[1])
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
        assert Notification.objects.filter(kind="saved_search_match").count() == 2

        worker, log = start_worker(own_broker, smtp.server_address[1])
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
        smtp.shutdown()
        smtp.server_close()

    assert sorted(
        Notification.objects.filter(kind="saved_search_match").values_list("recipient_id", flat=True)
    ) == sorted(b.pk for b in buyers)
    assert sorted(smtp.recipients) == sorted(b.email for b in buyers)
