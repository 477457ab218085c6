"""Celery tasks of the notifications app (on ``marketplace_tasks``)."""

from celery import shared_task

from notifications.services import notification_email_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notification_email_send_task(*, notification_id):
    """E-mail one notification; idempotent per (event, recipient), retried on SMTP errors."""
    return notification_email_send(notification_id=notification_id)
