"""Row locks of the notification centre (the only module here that calls ``select_for_update``)."""

from notifications.models import Notification


def notification_for_update(
    notification_id, *, recipient_id=None, with_recipient=False
) -> Notification | None:
    """Lock one notification (only the recipient's, when ``recipient_id`` is given); None if absent."""
    rows = Notification.objects.select_for_update().filter(pk=notification_id)
    if recipient_id is not None:
        rows = rows.filter(recipient_id=recipient_id)
    if with_recipient:
        rows = rows.select_related("recipient")
    return rows.first()
