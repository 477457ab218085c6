"""Celery tasks of the notifications app (on ``marketplace_tasks``)."""

from celery import shared_task

from infrastructure.email import email_connection
from notifications.services import notification_email_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notification_email_send_task(*, notification_id):
    """E-mail one notification; idempotent per (event, recipient), retried on SMTP errors."""
    return notification_email_send(notification_id=notification_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notification_emails_send_task(*, notification_ids):
    """E-mail a batch of notifications (a digest run, stock alerts) over one SMTP connection; each
    is sent at most once, so a retry after a broken connection sends only the rest."""
    sent = 0
    with email_connection() as connection:
        for notification_id in notification_ids:
            sent += notification_email_send(notification_id=notification_id, connection=connection)
    return sent
