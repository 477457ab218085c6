"""The Celery app: `celery -A designiaBackend worker -Q payment_tasks,marketplace_tasks` and
`celery -A designiaBackend beat`."""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")

app = Celery("designiaBackend")
app.config_from_object("django.conf:settings", namespace="CELERY")

PAYMENT_QUEUE = "payment_tasks"
MARKETPLACE_QUEUE = "marketplace_tasks"

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_queues=(Queue(PAYMENT_QUEUE), Queue(MARKETPLACE_QUEUE)),
    task_default_queue=MARKETPLACE_QUEUE,
    task_routes={
        "payment_system.Tasks.payment_tasks.*": {"queue": PAYMENT_QUEUE},
        "payment_system.Tasks.exchange_rate_tasks.*": {"queue": MARKETPLACE_QUEUE},
        "*": {"queue": MARKETPLACE_QUEUE},
    },
    result_expires=3600,
    broker_connection_retry_on_startup=True,
)

# Periodic work. Each entry names a task that exists; later features add theirs here.
app.conf.beat_schedule = {
    "purge-expired-verification-codes": {
        "task": "authentication.tasks.purge_expired_codes_task",
        "schedule": crontab(minute=15, hour="*/6"),
    },
}

app.autodiscover_tasks()
app.autodiscover_tasks(["payment_system.Tasks"], related_name=None)


@app.task(name="designiaBackend.ping")
def ping(value="pong"):
    """A round trip through the broker and a worker (test_celery_simple.py)."""
    return value
