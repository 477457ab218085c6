"""Notifications raised together (digests, stock alerts) send their e-mails as batches over one
SMTP connection, to a real SMTP server (a local sink); alone, each has its own task."""

import pytest
from django.db import transaction

from authentication.tests.factories import UserFactory
from designiaBackend.api.notifications import email_batch, notify
from designiaBackend.outbox.models import OutboxMessage
from notifications.models import Notification
from tests.fixtures.smtp import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    server = SmtpSink()
    server.serve_normally()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.close()


def _raise(users, prefix):
    for user in users:
        notify(
            recipient=user,
            kind="chat_unread_digest",
            event_key=f"{prefix}:{user.pk}",
            title="2 unread messages on Designia",
            body="From: anna.",
        )


def test_a_batch_of_notifications_is_emailed_over_one_connection_once(
    sink, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(6)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), email_batch():
        _raise(users, "batch")

    assert sorted(sink.recipients) == sorted(user.email for user in users)
    assert sink.connections == 1
    [message] = OutboxMessage.objects.filter(key__startswith="notification-email")
    assert message.key.startswith("notification-emails-") and message.done_at is not None
    assert not Notification.objects.filter(recipient__in=users, emailed_at__isnull=True).exists()

    # The batch again (a relay retry, a redelivery): nothing is sent twice.
    from notifications.tasks import notification_emails_send_task

    assert notification_emails_send_task.delay(**message.kwargs).get() == 0
    assert len(sink.recipients) == len(users)


def test_outside_a_batch_each_notification_has_its_own_email_task(sink, django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _raise(users, "single")

    assert sorted(sink.recipients) == sorted(user.email for user in users)
    assert sink.connections == 3
    assert OutboxMessage.objects.filter(key__startswith="notification-email-").count() == 3
