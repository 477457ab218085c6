"""The one way to schedule work after the current transaction commits, in two kinds.

- ``best_effort(fn, what=...)``: socket pushes, cache writes and invalidations, view counters,
  file clean-ups. Runs once after the commit; a failure (Redis down, a storage blip) is logged
  and counted in ``designia_after_commit_failures_total{effect=what}``, never raised, so nothing
  user-facing depends on it.
- ``must_happen(task, args=..., kwargs=..., key=...)``: e-mails, refunds, Stripe session closes,
  transfers. Recorded in the same transaction as the change (``designiaBackend.outbox``) and
  relayed to Celery until the broker takes it; ``key`` makes it run once, whatever the retries.

Outside a transaction both run (or are recorded) at once. See docs/adr/on-commit-side-effects.md.
"""

import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction

from designiaBackend.observability import metrics

logger = logging.getLogger(__name__)


def _run_best_effort(fn: Callable[[], object], what: str) -> None:
    try:
        fn()
    except Exception:
        logger.warning("Best-effort side effect %s failed after commit", what, exc_info=True)
        metrics.AFTER_COMMIT_FAILURES.labels(effect=what).inc()


def best_effort(fn: Callable[[], object], *, what: str) -> None:
    """Run ``fn`` after the commit; log and count (label ``what``) a failure, never raise it."""
    transaction.on_commit(partial(_run_best_effort, fn, what))


def must_happen(task, *, key: str, args: Iterable = (), kwargs: dict | None = None) -> None:
    """Record ``task(*args, **kwargs)`` in this transaction; it runs once per ``key``.

    ``task`` is a Celery task (or its name); arguments must be JSON values. A second call with a
    key already recorded is a no-op."""
    from designiaBackend.outbox.relay import outbox_record, outbox_relay_one

    name = task if isinstance(task, str) else task.name
    message = outbox_record(task=name, args=list(args), kwargs=dict(kwargs or {}), key=key)
    if message is not None:
        # Relay at once (the beat relay is the safety net when the broker is down right now).
        best_effort(partial(outbox_relay_one, message.pk), what="outbox_relay")
