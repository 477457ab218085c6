from celery import shared_task

from designiaBackend.outbox.models import OutboxMessage
from designiaBackend.outbox.relay import (
    outbox_mark_done,
    outbox_mark_failed,
    outbox_purge_done,
    outbox_relay_pending,
)


@shared_task(name="designiaBackend.outbox.tasks.outbox_relay_task", ignore_result=True)
def outbox_relay_task() -> int:
    return outbox_relay_pending()


@shared_task(name="designiaBackend.outbox.tasks.outbox_purge_task", ignore_result=True)
def outbox_purge_task() -> int:
    return outbox_purge_done()


@shared_task(bind=True, name="designiaBackend.outbox.tasks.outbox_deliver_task", ignore_result=True)
def outbox_deliver_task(self, message_id: int) -> None:
    """Run the message's task inline, once: a done message (a relay retry, a redelivery) is skipped.

    The relay now sends each message as its own task (``task_base.OutboxTask``: its rate and time
    limits apply); this deliverer stays for messages queued by an earlier release.

    The task's own ``autoretry_for`` errors are retried here with a backoff, up to its
    ``max_retries``; after those, or on another error, the delivery failed (one of ``attempts``):
    the relay sends it again after ``OUTBOX_REDELIVER_AFTER_MINUTES``, up to ``OUTBOX_MAX_ATTEMPTS``
    deliveries."""
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None or message.done_at is not None:
        return
    task = self.app.tasks[message.task]
    run = getattr(task, "_orig_run", task.run)  # the function, without its own retry wrapper
    try:
        run(*message.args, **message.kwargs)
    except Exception as exc:
        retryable = tuple(getattr(task, "autoretry_for", ()) or ())
        max_retries = task.max_retries if task.max_retries is not None else 3
        if retryable and isinstance(exc, retryable) and self.request.retries < max_retries:
            outbox_mark_failed(message_id, exc, final=False)
            countdown = min(600, 5 * 2**self.request.retries)
            raise self.retry(exc=exc, countdown=countdown, max_retries=max_retries) from exc
        outbox_mark_failed(message_id, exc, final=True)  # one attempt used up
        raise
    outbox_mark_done(message_id)
