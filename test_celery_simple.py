"""Celery smoke test: the broker answers and a task makes a round trip through a live worker.

As a script, against the worker you started (`make worker`, with REDIS_URL set):

    REDIS_URL=redis://127.0.0.1:6379/0 python test_celery_simple.py

Under pytest (part of `make test`), the `celery_worker` fixture starts the worker itself.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
django.setup()

from designiaBackend.celery import app, ping  # noqa: E402


def check_broker():
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=3)
        return connection.as_uri()


def round_trip(value, timeout=30):
    result = ping.apply_async(args=[value], queue="marketplace_tasks")
    return result.get(timeout=timeout)


def test_broker_is_reachable(celery_worker):
    assert check_broker().startswith("redis://")


def test_task_round_trip_through_live_worker(celery_worker):
    assert round_trip("hello from the test") == "hello from the test"
    # The worker listens on the payment queue too.
    assert ping.apply_async(args=["paid"], queue="payment_tasks").get(timeout=30) == "paid"


if __name__ == "__main__":
    if app.conf.task_always_eager:
        print("CELERY_TASK_ALWAYS_EAGER is on (no REDIS_URL?): nothing would reach a worker.")
        sys.exit(1)
    print(f"Broker: {check_broker()} ... reachable")
    print(f"Round trip: {round_trip('pong')!r}")
