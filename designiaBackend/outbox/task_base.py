"""The base class of every Celery task (``Celery(task_cls=...)`` in designiaBackend/celery.py).

The relay sends an outbox message as its own task, with the message's id in the
``OUTBOX_HEADER`` message header, so the worker applies that task's ``rate_limit``,
``time_limit`` and ``soft_time_limit`` (a deliverer task calling the function inline would
escape them). Such a run is skipped when the message is done already (a relay retry, a
redelivery) and marks it done when it returns. A retry (``autoretry_for``) keeps the header;
a run that fails for good uses one of the message's ``attempts``. A task sent without the
header (``.delay()``) runs as usual.
"""

from celery import Task
from celery.exceptions import Retry

OUTBOX_HEADER = "outbox_message_id"


def outbox_message_id(request) -> int | None:
    """The outbox message a task run delivers (None: not sent by the relay)."""
    headers = getattr(request, "headers", None) or {}
    value = headers.get(OUTBOX_HEADER, getattr(request, OUTBOX_HEADER, None))
    return int(value) if value is not None else None


class OutboxTask(Task):
    def __call__(self, *args, **kwargs):
        message_id = outbox_message_id(self.request)
        if message_id is None:
            return super().__call__(*args, **kwargs)

        from designiaBackend.outbox.models import OutboxMessage
        from designiaBackend.outbox.relay import outbox_mark_done, outbox_mark_failed

        if not OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).exists():
            return None  # done before (or purged): a redelivery does nothing
        try:
            # The tracer pushed this run's request (its retries, its eager flag): run under it.
            result = self.run(*args, **kwargs)
        except Retry as retry:  # the task's own autoretry: the same message comes back
            outbox_mark_failed(message_id, retry.exc or retry, final=False)
            raise
        except Exception as exc:
            outbox_mark_failed(message_id, exc, final=True)  # one attempt used up
            raise
        outbox_mark_done(message_id)
        return result
