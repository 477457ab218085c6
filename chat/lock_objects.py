"""Row locks of the chat app, in one place. Every helper must run inside ``transaction.atomic``."""

from chat.models import MessageReport, Thread


def message_report_for_update(report_id):
    """Lock one report, with its message's sender read (``MessageReport.DoesNotExist`` without one)."""
    return MessageReport.objects.select_for_update().select_related("message__sender").get(pk=report_id)


def threads_for_update(thread_ids):
    """Lock the threads, in pk order (a batch of messages updates their last message); returns
    {thread id: its last message's id or None}."""
    return dict(
        Thread.objects.select_for_update()
        .filter(pk__in=thread_ids)
        .order_by("pk")
        .values_list("pk", "last_message_id")
    )
