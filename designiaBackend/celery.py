"""The Celery app: `celery -A designiaBackend worker -Q payment_tasks,marketplace_tasks,email_tasks` and
`celery -A designiaBackend beat`."""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

from designiaBackend.observability.celery_signals import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")

# Every task's class: a run the outbox relay sent (its message id in a header) runs once per message.
app = Celery("designiaBackend", task_cls="designiaBackend.outbox.task_base:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Task metrics, request ids in task headers, tracing and JSON logs in workers.
connect_celery_signals()

PAYMENT_QUEUE = "payment_tasks"
MARKETPLACE_QUEUE = "marketplace_tasks"
# E-mails drain on their own queue, so a burst (20,000 cancellations) delays no other task.
EMAIL_QUEUE = "email_tasks"
QUEUES = (PAYMENT_QUEUE, MARKETPLACE_QUEUE, EMAIL_QUEUE)
EMAIL_TASKS = (
    "authentication.tasks.send_account_email_task",
    "marketplace.ordering.tasks.order_email_send_task",
    "marketplace.ordering.tasks.order_emails_send_task",
    "notifications.tasks.notification_email_send_task",
    "notifications.tasks.notification_emails_send_task",
)

RESULT_NOBODY_READS = (
    *EMAIL_TASKS,
    "authentication.tasks.purge_expired_codes_task",
    "marketplace.activity.tasks.activity_flush_task",
    "payment_system.Tasks.payment_tasks.refund_submit_task",
    "payment_system.Tasks.payment_tasks.payment_fee_record_task",
    "payment_system.Tasks.payment_tasks.checkout_session_close_task",
    "payment_system.Tasks.payment_tasks.transfer_reversal_submit_task",
    "payment_system.Tasks.payment_tasks.dummy_checkout_complete_task",
    "payment_system.Tasks.payment_tasks.checkout_sessions_close_task",
)
# Calls to outside services in bulk, per worker process (Celery's token bucket): the sweep's batches
# of Stripe session expiries (up to a batch of sessions each) and the e-mails keep to these, also
# when the outbox relays them, and leave Stripe's API (100 requests/s) and the SMTP relay headroom.
RATE_LIMITS = {
    "payment_system.Tasks.payment_tasks.checkout_sessions_close_task": "30/m",
    "payment_system.Tasks.payment_tasks.checkout_session_close_task": "20/s",
    "marketplace.ordering.tasks.order_emails_send_task": "60/m",
    "marketplace.ordering.tasks.order_email_send_task": "50/s",
    "notifications.tasks.notification_email_send_task": "50/s",
    "notifications.tasks.notification_emails_send_task": "60/m",
    "authentication.tasks.send_account_email_task": "50/s",
}
LONG_TASKS = (
    "payment_system.Tasks.payment_tasks.check_payment_timeouts_task",
    "payment_system.Tasks.payment_tasks.stock_reservations_sweep_task",
    "payment_system.Tasks.payment_tasks.release_held_funds_task",
    "payment_system.Tasks.payment_tasks.reconcile_payments_task",
    "payment_system.Tasks.exchange_rate_tasks.update_exchange_rates_task",
    "authentication.tasks.gdpr_export_task",
    "ar.tasks.ar_storage_cleanup_task",
    "marketplace.ordering.tasks.orders_auto_deliver_task",
)

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # Each queue has its own direct exchange and routing key, so the routing holds on any broker.
    task_queues=tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES),
    task_default_queue=MARKETPLACE_QUEUE,
    task_default_exchange=MARKETPLACE_QUEUE,
    task_default_routing_key=MARKETPLACE_QUEUE,
    task_routes={
        **{name: {"queue": EMAIL_QUEUE} for name in EMAIL_TASKS},
        "payment_system.Tasks.payment_tasks.*": {"queue": PAYMENT_QUEUE},
        "payment_system.Tasks.exchange_rate_tasks.*": {"queue": MARKETPLACE_QUEUE},
        "*": {"queue": MARKETPLACE_QUEUE},
    },
    # A task that nobody reads the result of stores none (annotations below); the rest expire soon.
    result_expires=900,
    # Every task ends within these (seconds); the long sweeps get more in task_annotations. Keep the
    # hard limits and retry countdowns (retry_backoff_max, 600 s) below visibility_timeout (settings).
    task_soft_time_limit=240,
    task_time_limit=300,
    task_annotations={
        name: {
            **({"ignore_result": True} if name in RESULT_NOBODY_READS else {}),
            **({"soft_time_limit": 540, "time_limit": 600} if name in LONG_TASKS else {}),
            **({"rate_limit": RATE_LIMITS[name]} if name in RATE_LIMITS else {}),
        }
        for name in {*RESULT_NOBODY_READS, *LONG_TASKS, *RATE_LIMITS}
    },
    broker_connection_retry_on_startup=True,
)

# Periodic work. Each entry names a task that exists; later features add theirs here.
app.conf.beat_schedule = {
    "purge-expired-verification-codes": {
        "task": "authentication.tasks.purge_expired_codes_task",
        "schedule": crontab(minute=15, hour="*/6"),
    },
    "flush-product-activity": {
        "task": "marketplace.activity.tasks.activity_flush_task",
        "schedule": 60.0,
    },
    "relay-outbox": {
        "task": "designiaBackend.outbox.tasks.outbox_relay_task",
        "schedule": 5.0,  # must-happen tasks the broker refused at commit time
    },
    "purge-done-outbox-messages": {
        "task": "designiaBackend.outbox.tasks.outbox_purge_task",
        "schedule": crontab(minute=50, hour=4),  # daily
    },
    "check-payment-timeouts": {
        "task": "payment_system.Tasks.payment_tasks.check_payment_timeouts_task",
        "schedule": crontab(minute=5),  # hourly
    },
    "release-lapsed-stock-reservations": {
        "task": "payment_system.Tasks.payment_tasks.stock_reservations_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "chat-unread-digests": {
        "task": "chat.tasks.chat_unread_digests_task",
        "schedule": crontab(minute=50),  # hourly: one digest per user with unread messages
    },
    "saved-search-digests": {
        "task": "marketplace.alerts.tasks.saved_search_digests_task",
        "schedule": crontab(minute=0, hour=7),  # daily: one digest per saved search at most
    },
    "auto-deliver-orders": {
        "task": "marketplace.ordering.tasks.orders_auto_deliver_task",
        "schedule": crontab(minute=30, hour=3),  # daily
    },
    "ar-storage-cleanup": {
        "task": "ar.tasks.ar_storage_cleanup_task",
        "schedule": crontab(minute=45),  # hourly
    },
    "release-held-funds": {
        "task": "payment_system.Tasks.payment_tasks.release_held_funds_task",
        "schedule": crontab(minute=20),  # hourly
    },
    "reconcile-payments": {
        "task": "payment_system.Tasks.payment_tasks.reconcile_payments_task",
        "schedule": crontab(minute=40, hour=2),  # daily, for the previous UTC day
    },
    # Daily at 00:00 UTC (a wall-clock time, not "every 24 h from start").
    "update-exchange-rates": {
        "task": "payment_system.Tasks.exchange_rate_tasks.update_exchange_rates_task",
        "schedule": crontab(minute=0, hour=0),
    },
}

app.autodiscover_tasks()
app.autodiscover_tasks(["payment_system.Tasks"], related_name=None)
app.autodiscover_tasks(["marketplace.ordering"])
app.autodiscover_tasks(["designiaBackend.outbox"])


@app.task(name="designiaBackend.ping")
def ping(value="pong"):
    """A round trip through the broker and a worker (test_celery_simple.py)."""
    return value
