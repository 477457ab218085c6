"""Celery tasks of back-in-stock alerts (queue ``marketplace_tasks``)."""

from celery import shared_task

from marketplace.alerts.services import stock_alerts_fire


@shared_task(
    name="marketplace.alerts.tasks.stock_alerts_fire_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def stock_alerts_fire_task(*, product_id) -> int:
    """Notify the pending "notify me" alerts of a restocked product (batched, idempotent)."""
    return stock_alerts_fire(product_id=product_id)


@shared_task(name="marketplace.alerts.tasks.saved_search_digests_task")
def saved_search_digests_task() -> int:
    """Beat, daily: split the saved searches into batches, one task each; returns the batch count."""
    from django.utils import timezone

    from marketplace.alerts.saved_searches import saved_search_batches

    until = timezone.now().isoformat()
    batches = saved_search_batches()
    for ids in batches:
        saved_search_digest_batch_task.delay(search_ids=ids, until=until)
    return len(batches)


@shared_task(
    name="marketplace.alerts.tasks.saved_search_digest_batch_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def saved_search_digest_batch_task(*, search_ids, until) -> int:
    """One batch of saved-search digests (each search idempotent per day)."""
    from datetime import datetime

    from marketplace.alerts.saved_searches import saved_search_digest_batch

    return saved_search_digest_batch(search_ids=search_ids, until=datetime.fromisoformat(until))
