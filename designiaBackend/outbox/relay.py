"""Record must-happen tasks and relay them to the broker until it takes them.

A message is *relayed* once the broker accepted it and *done* once its task ran. The relay runs
right after the commit (``must_happen``) and every few seconds from beat
(``outbox_relay_task``): messages never relayed, or relayed long ago and still not done (a lost
message or a worker killed mid-run), are sent again. Each goes as its own task (rate and time
limits apply), marked with its id; ``task_base.OutboxTask`` skips done ones.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from designiaBackend.observability import metrics
from designiaBackend.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

# The broker refused or could not be reached: keep the message, try again later.
BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def outbox_record(*, task: str, args: list, kwargs: dict, key: str) -> OutboxMessage | None:
    """Write the message in the current transaction; None when ``key`` was recorded before."""
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=key, defaults={"task": task, "args": list(args), "kwargs": dict(kwargs)}
        )
    return message if created else None


def queue_for(task_name: str) -> str:
    """The queue ``task_routes`` gives the task (the deliverer runs on its task's queue)."""
    from designiaBackend.celery import app

    route = app.amqp.router.route({}, task_name)
    queue = route.get("queue")
    return getattr(queue, "name", queue) or app.conf.task_default_queue


def _stale_before():
    return timezone.now() - timedelta(minutes=settings.OUTBOX_REDELIVER_AFTER_MINUTES)


def _send(message: OutboxMessage) -> bool:
    """Hand the message to the broker as its own task on its own queue, so the worker applies the
    task's rate and time limits; the ``OUTBOX_HEADER`` makes the run once-only (``OutboxTask``).
    Without a broker (``CELERY_TASK_ALWAYS_EAGER``, no ``REDIS_URL``) it runs here at once."""
    from designiaBackend.celery import app
    from designiaBackend.outbox.task_base import OUTBOX_HEADER

    options = {"queue": queue_for(message.task), "headers": {OUTBOX_HEADER: message.pk}}
    try:
        task = app.tasks.get(message.task)
        if task is None:  # not registered here: by name (a worker that knows it runs it)
            app.send_task(message.task, args=message.args, kwargs=message.kwargs, **options)
        else:
            task.apply_async(args=message.args, kwargs=message.kwargs, **options)
    except BROKER_ERRORS as exc:
        logger.warning("Outbox message %s (%s) not relayed: %r", message.pk, message.task, exc)
        metrics.OUTBOX_RELAY_FAILURES.inc()
        OutboxMessage.objects.filter(pk=message.pk).update(relayed_at=None, last_error=repr(exc)[:2000])
        return False
    return True


def _claim(message_id, relayable: Q) -> OutboxMessage | None:
    """Mark the message relayed unless another relay did so first (one UPDATE, no lock held)."""
    claimed = OutboxMessage.objects.filter(relayable, pk=message_id).update(relayed_at=timezone.now())
    return OutboxMessage.objects.only("pk", "task", "args", "kwargs").get(pk=message_id) if claimed else None


def outbox_relay_one(message_id) -> bool:
    """Right after the commit: hand this message to the broker (False: it stays for the sweep)."""
    message = _claim(message_id, Q(relayed_at__isnull=True, done_at__isnull=True))
    return message is not None and _send(message)


def _relayable() -> Q:
    pending = Q(relayed_at__isnull=True) | Q(relayed_at__lt=_stale_before())
    return pending & Q(done_at__isnull=True, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)


def outbox_relay_pending(*, limit: int = 500) -> int:
    """Relay waiting messages in pk order; stop at the first broker refusal. Returns how many went."""
    ids = list(OutboxMessage.objects.filter(_relayable()).order_by("pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for message_id in ids:
        message = _claim(message_id, _relayable())
        if message is None:
            continue
        if not _send(message):
            break
        sent += 1
    return sent


def outbox_mark_done(message_id) -> None:
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(done_at=timezone.now())


def outbox_mark_failed(message_id, exc: BaseException, *, final: bool) -> None:
    """Record the error; ``final``: this delivery gave up (its retries are spent), one attempt used."""
    changes = {"last_error": repr(exc)[:2000], **({"attempts": F("attempts") + 1} if final else {})}
    OutboxMessage.objects.filter(pk=message_id).update(**changes)


def outbox_purge_done(*, older_than_days: int = 7) -> int:
    """Delete messages done more than ``older_than_days`` ago (a redelivery of those is long over)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=cutoff).delete()
    return deleted
