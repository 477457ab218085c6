"""Reads of the notification inbox and preferences."""

from notifications import kinds
from notifications.models import Notification, NotificationPreference


def notification_list_for_user(*, user, unread_only=False):
    """The user's notifications, newest first."""
    queryset = Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def unread_notifications_count(*, user_id) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_not_emailed(*, kind: str, events: list[tuple]) -> list:
    """Ids of the notifications of ``kind`` for these ``(recipient id, event key)`` pairs whose
    e-mail has not been sent (read by recipient: the leading column of the unique index)."""
    wanted = {(str(recipient_id), event_key) for recipient_id, event_key in events}
    if not wanted:
        return []
    rows = (
        Notification.objects.filter(
            kind=kind,
            recipient_id__in={recipient for recipient, _ in wanted},
            event_key__in={key for _, key in wanted},
            emailed_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", "recipient_id", "event_key")
    )
    return [pk for pk, recipient_id, event_key in rows if (str(recipient_id), event_key) in wanted]


def email_enabled(*, user_id, kind: str) -> bool:
    """Whether ``kind`` is e-mailed to the user (on unless turned off; mandatory kinds always)."""
    definition = kinds.get(kind)
    if definition is not None and definition.mandatory:
        return True
    choice = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("email", flat=True)
    return next(iter(choice), True)


def preference_list_for_user(*, user) -> list[dict]:
    """Every registered kind with the user's e-mail choice."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "email"))
    return [
        {
            "kind": kind.name,
            "audience": kind.audience,
            "label": kind.label,
            "email": True if kind.mandatory else chosen.get(kind.name, True),
            "mandatory": kind.mandatory,
        }
        for kind in kinds.all_kinds()
    ]


def notification_data(notification: Notification) -> dict:
    """The JSON shape of a notification (API and socket frame alike)."""
    return {
        "id": str(notification.pk),
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link_type": notification.link_type or None,
        "link_id": notification.link_id or None,
        "url": notification.url or None,
        "is_read": notification.read_at is not None,
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
        "created_at": notification.created_at.isoformat(),
    }


def notification_export_for_user(user) -> list[dict]:
    """The user's part of a GDPR export."""
    return [notification_data(n) for n in Notification.objects.filter(recipient_id=user.pk).order_by("id")]
