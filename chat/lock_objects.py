"""Row locks of the chat app, in one place. Every helper must run inside ``transaction.atomic``."""

from chat.models import MessageReport


def message_report_for_update(report_id):
    """Lock one report, with its message's sender read (``MessageReport.DoesNotExist`` without one)."""
    return MessageReport.objects.select_for_update().select_related("message__sender").get(pk=report_id)
