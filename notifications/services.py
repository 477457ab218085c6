"""Writes of the notification centre: store, mark read, preferences, unsubscribe, e-mail once.

Side effects leave through ``designiaBackend.api.after_commit``: socket pushes are best effort, the
e-mail is a must-happen outbox message recorded with the notification.
"""

import hashlib
from functools import partial

from django.db import transaction
from django.utils import timezone, translation

from authentication.selectors import user_language
from designiaBackend.api import realtime
from designiaBackend.api.after_commit import best_effort, must_happen
from designiaBackend.api.notifications import collecting_emails
from infrastructure.email import send_templated_email
from notifications import kinds, selectors
from notifications.exceptions import (
    InvalidUnsubscribeToken,
    NotificationNotFound,
    PreferenceLocked,
    UnknownNotificationKind,
)
from notifications.lock_objects import notification_for_update
from notifications.models import Notification, NotificationPreference
from notifications.unsubscribe import unsubscribe_page_url, unsubscribe_token_read, unsubscribe_url

GENERIC_TEMPLATE = "notification"
EMAIL_BATCH_SIZE = 200  # e-mails per outbox message (one task, one SMTP connection) of a batch


def _push(user_id, frame: dict) -> None:
    realtime.send_to_user(str(user_id), frame)


def _push_created(notification_id) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    _push(
        notification.recipient_id,
        {
            "type": "notification",
            "notification": selectors.notification_data(notification),
            "unread_notifications_count": selectors.unread_notifications_count(
                user_id=notification.recipient_id
            ),
        },
    )


def _push_count(user_id) -> None:
    count = selectors.unread_notifications_count(user_id=user_id)
    _push(user_id, {"type": "unread_notifications_count_update", "unread_notifications_count": count})


def _queue_email(notification_id) -> None:
    """Must happen: the e-mail is recorded in the outbox with the notification (once per
    notification); inside ``email_batch`` it joins the batch instead."""
    from notifications.tasks import notification_email_send_task

    batch = collecting_emails()
    if batch is not None:
        batch.append(notification_id)
        return

    must_happen(
        notification_email_send_task,
        kwargs={"notification_id": notification_id},
        key=f"notification-email-{notification_id}",
    )


def notification_emails_queue(notification_ids) -> None:
    """Must happen: the e-mails of these notifications, ``EMAIL_BATCH_SIZE`` an outbox message,
    each sent over one SMTP connection (``email_batch`` calls this)."""
    from notifications.tasks import notification_emails_send_task

    ids = [str(pk) for pk in notification_ids]
    for start in range(0, len(ids), EMAIL_BATCH_SIZE):
        chunk = ids[start : start + EMAIL_BATCH_SIZE]
        digest = hashlib.sha256(",".join(sorted(chunk)).encode()).hexdigest()[:32]
        must_happen(
            notification_emails_send_task,
            kwargs={"notification_ids": chunk},
            key=f"notification-emails-{digest}",
        )


@transaction.atomic
def notify(
    *,
    recipient,
    kind,
    event_key,
    title,
    body,
    link_type="",
    link_id="",
    url="",
    email_subject="",
    email_template="",
    email_context=None,
    email=True,
):
    """Store one notification per (event_key, recipient); push it and e-mail it after commit.

    A second call with the same ``event_key`` for the same recipient changes and sends nothing.
    """
    definition = kinds.get(kind)
    if definition is None:
        raise UnknownNotificationKind(f"Unknown notification kind: {kind}.")
    recipient_id = getattr(recipient, "pk", recipient)
    with translation.override(user_language(user_id=recipient_id)):  # lazy texts in their language
        title, body, email_subject = str(title), str(body), str(email_subject)
    notification, created = Notification.objects.get_or_create(
        recipient_id=recipient_id,
        event_key=event_key[:191],
        defaults={
            "kind": kind,
            "title": title[:255],
            "body": body,
            "link_type": link_type,
            "link_id": str(link_id or ""),
            "url": url[:500],
            "email_subject": email_subject[:255],
            "email_template": email_template,
            "email_context": email_context or {},
        },
    )
    if not created:
        return notification
    best_effort(partial(_push_created, notification.pk), what="notification_push")
    if email and selectors.email_enabled(user_id=recipient_id, kind=kind):
        _queue_email(notification.pk)
    return notification


@transaction.atomic
def notification_mark_read(*, user, notification_id) -> Notification:
    """Mark one of the user's notifications read; another user's id is not found."""
    notification = notification_for_update(notification_id, recipient_id=user.pk)
    if notification is None:
        raise NotificationNotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        best_effort(partial(_push_count, user.pk), what="notification_count_push")
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    marked = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        best_effort(partial(_push_count, user.pk), what="notification_count_push")
    return marked


def _checked_kind(name):
    definition = kinds.get(name)
    if definition is None:
        raise UnknownNotificationKind(f"Unknown notification kind: {name}.", extra={"kind": name})
    return definition


@transaction.atomic
def notification_preferences_update(*, user, choices: dict[str, bool]) -> None:
    """Set the e-mail choice per kind; nothing is stored if one kind is unknown or locked."""
    for name, email in choices.items():
        if _checked_kind(name).mandatory and not email:
            raise PreferenceLocked(extra={"kind": name})
    for name, email in choices.items():
        NotificationPreference.objects.update_or_create(user_id=user.pk, kind=name, defaults={"email": email})


@transaction.atomic
def unsubscribe_token_check(*, token: str) -> tuple[str, str]:
    """``(user_id, kind)`` of a valid unsubscribe token for a kind that can be turned off, else 400."""
    read = unsubscribe_token_read(token or "")
    if read is None:
        raise InvalidUnsubscribeToken()
    user_id, name = read
    definition = kinds.get(name)
    if definition is None or definition.mandatory:
        raise InvalidUnsubscribeToken()
    return user_id, name


def notification_unsubscribe(*, token: str) -> str:
    """Turn off the e-mail of the token's kind for its user (no login); returns the kind."""
    user_id, name = unsubscribe_token_check(token=token)
    NotificationPreference.objects.update_or_create(user_id=user_id, kind=name, defaults={"email": False})
    return name


@transaction.atomic
def notification_email_send(*, notification_id, connection=None) -> bool:
    """Send a notification's e-mail at most once (the row lock and ``emailed_at`` make a redelivered
    task a no-op); the recipient's current preference decides. Returns whether it was sent.
    ``connection``: a batch's open SMTP connection (``infrastructure.email.email_connection``)."""
    notification = notification_for_update(notification_id, with_recipient=True)
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.email or not selectors.email_enabled(user_id=recipient.pk, kind=notification.kind):
        return False
    with translation.override(user_language(user_id=recipient.pk)):
        _send(notification, recipient, connection)
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def _send(notification, recipient, connection=None) -> None:
    one_click = unsubscribe_url(user_id=recipient.pk, kind=notification.kind)
    send_templated_email(
        connection=connection,
        to=recipient.email,
        subject=notification.email_subject or notification.title,
        template=notification.email_template or GENERIC_TEMPLATE,
        context={
            **notification.email_context,
            "title": notification.title,
            "body": notification.body,
            "url": notification.url,
            "unsubscribe_url": unsubscribe_page_url(user_id=recipient.pk, kind=notification.kind),
        },
        headers={"List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def notification_data_erase(user) -> None:
    """GDPR erasure: a deleted user's inbox and preferences go with them."""
    Notification.objects.filter(recipient_id=user.pk).delete()
    NotificationPreference.objects.filter(user_id=user.pk).delete()
