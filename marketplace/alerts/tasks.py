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
