"""Celery: task metrics, request id and tracing hooks, connected by ``designiaBackend.celery``.

- ``designia_celery_tasks_total{task,queue,state}`` and the run-time histogram, from the task
  signals (success from ``task_postrun``, failures and retries from their own signals).
- The request id of the HTTP request that enqueued a task travels in the message headers and is
  bound while the task runs, so the worker's log lines carry it.
- Workers and beat set up tracing (``OTEL_*``) and the worker logs through ``settings.LOGGING``;
  ``CELERY_METRICS_PORT`` makes the worker serve its metrics for Prometheus.
"""

import contextlib
import logging
import logging.config
import os
import threading
import time

from celery import signals
from django.conf import settings

from designiaBackend.observability import metrics
from designiaBackend.observability.context import bind_request_id, get_request_id, reset_request_id
from designiaBackend.observability.ops_metrics import PUBLISHED_AT_HEADER, periodic_task_record_success
from designiaBackend.observability.tracing import configure_tracing

logger = logging.getLogger(__name__)

REQUEST_ID_MESSAGE_HEADER = "x_request_id"
INLINE_QUEUE = "inline"  # tasks run in the caller's process (CELERY_TASK_ALWAYS_EAGER)

_running = {}  # task id -> (started, request id token)
_running_lock = threading.Lock()


def task_queue(task) -> str:
    request = task.request
    delivery_info = getattr(request, "delivery_info", None) or {}
    queue = delivery_info.get("routing_key")
    if queue:
        return queue
    return INLINE_QUEUE if getattr(request, "is_eager", False) else "unknown"


def _on_publish(sender=None, headers=None, **kwargs):
    if headers is None:
        return
    headers.setdefault(PUBLISHED_AT_HEADER, time.time())  # the queue age metric (ops_metrics)
    request_id = get_request_id()
    if request_id:
        headers.setdefault(REQUEST_ID_MESSAGE_HEADER, request_id)


def _on_prerun(sender=None, task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, REQUEST_ID_MESSAGE_HEADER, None) if task is not None else None
    token = bind_request_id(request_id) if request_id else None
    with _running_lock:
        _running[task_id] = (time.perf_counter(), token)


def _on_postrun(sender=None, task_id=None, task=None, state=None, **kwargs):
    with _running_lock:
        started, token = _running.pop(task_id, (None, None))
    if token is not None:
        # ValueError: bound in another context (a pool switched threads); nothing to undo here.
        with contextlib.suppress(ValueError):
            reset_request_id(token)
    if task is None:
        return
    labels = {"task": task.name, "queue": task_queue(task)}
    if started is not None:
        metrics.CELERY_TASK_DURATION.labels(**labels).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        metrics.CELERY_TASKS.labels(**labels, state="success").inc()
        periodic_task_record_success(task.name)


def _on_failure(sender=None, task_id=None, exception=None, **kwargs):
    metrics.CELERY_TASKS.labels(task=sender.name, queue=task_queue(sender), state="failure").inc()


def _on_retry(sender=None, request=None, reason=None, **kwargs):
    metrics.CELERY_TASKS.labels(task=sender.name, queue=task_queue(sender), state="retry").inc()


def _configure_logging(**kwargs):
    """Celery leaves logging alone when this signal has a receiver: the worker logs like Django."""
    logging.config.dictConfig(settings.LOGGING)


def _on_worker_init(sender=None, **kwargs):
    from designiaBackend.observability.exposition import start_worker_metrics_server

    configure_tracing()
    port = getattr(settings, "CELERY_METRICS_PORT", 0)
    if port:
        start_worker_metrics_server(port)


def _on_worker_process_shutdown(pid=None, **kwargs):
    from designiaBackend.observability.exposition import mark_process_dead

    mark_process_dead(pid or os.getpid())


def _on_beat_init(sender=None, **kwargs):
    configure_tracing()


def connect_celery_signals():
    """Connect the receivers once (``dispatch_uid``), strongly referenced."""
    for signal, receiver in (
        (signals.before_task_publish, _on_publish),
        (signals.task_prerun, _on_prerun),
        (signals.task_postrun, _on_postrun),
        (signals.task_failure, _on_failure),
        (signals.task_retry, _on_retry),
        (signals.setup_logging, _configure_logging),
        (signals.worker_init, _on_worker_init),
        (signals.worker_process_shutdown, _on_worker_process_shutdown),
        (signals.beat_init, _on_beat_init),
    ):
        signal.connect(receiver, weak=False, dispatch_uid=f"designia.observability.{receiver.__name__}")
