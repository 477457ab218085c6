"""Chat messages left unread: one digest notification per recipient, not one per message.

The beat task runs hourly; a message counts once it has been unread for
``CHAT_DIGEST_AFTER_MINUTES`` (the recipient was not reading: offline). A digest names how many
messages wait and from whom, keyed by the newest message it covers, so a later run sends nothing
until new messages arrive.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chat.models import Message, Thread
from designiaBackend.api.notifications import email_batch, notify

LOOKBACK = timedelta(days=7)


def _pending(now):
    cutoff = now - timedelta(minutes=settings.CHAT_DIGEST_AFTER_MINUTES)
    messages = Message.objects.filter(
        read_at__isnull=True, created_at__lte=cutoff, created_at__gt=now - LOOKBACK
    ).values_list("id", "thread_id", "sender_id", "sender__username")
    participants = {}
    for thread_id, user_id in Thread.participants.through.objects.filter(
        thread_id__in={row[1] for row in messages}
    ).values_list("thread_id", "user_id"):
        participants.setdefault(thread_id, []).append(user_id)
    pending = {}
    for message_id, thread_id, sender_id, username in messages:
        for user_id in participants.get(thread_id, ()):
            if user_id != sender_id:
                entry = pending.setdefault(user_id, {"count": 0, "senders": set(), "newest": 0})
                entry["count"] += 1
                entry["senders"].add(username)
                entry["newest"] = max(entry["newest"], message_id)
    return pending


@transaction.atomic
def chat_unread_digests_send(*, now=None) -> int:
    """Raise one ``chat_unread_digest`` per recipient with messages waiting; returns how many."""
    pending = _pending(now or timezone.now())
    with email_batch():  # the digests' e-mails in batches, one SMTP connection each
        for user_id, entry in sorted(pending.items(), key=lambda item: str(item[0])):
            _notify_digest(user_id, entry)
    return len(pending)


def _notify_digest(user_id, entry) -> None:
    notify(
        recipient=user_id,
        kind="chat_unread_digest",
        event_key=f"chat_unread_digest:{entry['newest']}",
        title=format_lazy(_("{count} unread messages on Designia"), count=entry["count"]),
        body=format_lazy(_("From: {senders}."), senders=", ".join(sorted(entry["senders"]))),
        link_type="chat",
        url=f"{settings.FRONTEND_URL}/chat",
    )
