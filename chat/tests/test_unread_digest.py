"""Chat messages left unread reach the recipient as one digest notification (and one e-mail), not
one per message; a later run sends nothing until new messages arrive; read messages are left out."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from chat.tasks import chat_unread_digests_task
from designiaBackend.outbox.models import OutboxMessage
from notifications.models import Notification

pytestmark = pytest.mark.django_db
CONVERSATIONS = "/api/chat/conversations/"


def send(auth_client, user, thread, text):
    answer = auth_client(user).post(f"{CONVERSATIONS}{thread.pk}/messages/", {"text": text}, format="json")
    assert answer.status_code == 201, answer.content


def later(minutes):
    from chat.services.digests import chat_unread_digests_send

    with TestCase.captureOnCommitCallbacks(execute=True):  # as after the task's commit
        return chat_unread_digests_send(now=timezone.now() + timedelta(minutes=minutes))


def test_unread_messages_become_one_digest(auth_client, pair, mailoutbox):
    buyer, seller, thread = pair
    for text in ("Hello!", "Is the chair still available?", "Can you ship to Porto?"):
        send(auth_client, buyer, thread, text)

    assert later(5) == 0  # not yet: the seller may be reading
    assert chat_unread_digests_task.delay().get() == 0
    assert later(20) == 1
    [digest] = Notification.objects.filter(recipient=seller)
    assert (digest.kind, digest.title, digest.body) == (
        "chat_unread_digest",
        "3 unread messages on Designia",
        "From: anna.",
    )
    assert [m.subject for m in mailoutbox if m.to == [seller.email]] == ["3 unread messages on Designia"]
    # The run's e-mails went as one batch (one SMTP connection), not a task per digest.
    assert list(
        OutboxMessage.objects.filter(key__startswith="notification-email").values_list("task", flat=True)
    ) == ["notifications.tasks.notification_emails_send_task"]
    assert not Notification.objects.filter(recipient=buyer).exists()

    later(40)  # nothing new: no second digest
    assert Notification.objects.filter(recipient=seller).count() == 1
    send(auth_client, buyer, thread, "Hello again")
    later(20)
    assert Notification.objects.filter(recipient=seller).count() == 2


def test_read_messages_are_not_in_a_digest(auth_client, pair):
    buyer, seller, thread = pair
    send(auth_client, buyer, thread, "Hello!")
    assert auth_client(seller).post(f"{CONVERSATIONS}{thread.pk}/mark_read/").status_code == 200
    assert later(20) == 0
    assert not Notification.objects.exists()
