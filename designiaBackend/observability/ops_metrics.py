"""Metrics read when Prometheus scrapes ``/metrics``, for the alerts (infrastructure/prometheus/alerts/).

- ``designia_dependency_up{dependency}``: the readiness probe's checks (database, storage, Redis)
  run from this process, 1 when they pass.
- ``designia_celery_queue_length{queue}`` and ``designia_celery_queue_oldest_task_age_seconds{queue}``:
  the broker's own view of each queue (Redis lists), so they are right even with every worker down.
  The age comes from the ``x_published_at`` header every task carries (celery_signals).
- ``designia_periodic_task_last_success_timestamp_seconds{task}``: when each task of the beat
  schedule last succeeded, kept in the shared cache so a restart does not forget it.
- ``designia_outbox_pending{state}`` and ``designia_outbox_oldest_pending_age_seconds{state}``:
  must-happen tasks recorded and not done yet (the database's view, so right with the broker or
  every worker down); ``state`` is ``waiting`` (the relay keeps sending it) or ``given_up`` (its
  ``OUTBOX_MAX_ATTEMPTS`` deliveries failed: a person must look).
"""

import json
import logging
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import redis
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

logger = logging.getLogger(__name__)

PUBLISHED_AT_HEADER = "x_published_at"
_SUCCESS_KEY = "ops:periodic-task-success:{}"
BROKER_TIMEOUT_SECONDS = 2.0


def _celery_app() -> Any:
    from designiaBackend.celery import app

    return app


def periodic_task_names() -> set[str]:
    return {entry["task"] for entry in _celery_app().conf.beat_schedule.values()}


def periodic_task_record_success(task_name: str) -> None:
    """Remember that a task of the beat schedule succeeded now (other tasks are not recorded)."""
    if task_name in periodic_task_names():
        cache.set(_SUCCESS_KEY.format(task_name), time.time(), timeout=None)


def periodic_task_last_successes() -> dict[str, float]:
    names = sorted(periodic_task_names())
    stored = cache.get_many([_SUCCESS_KEY.format(name) for name in names])
    return {name: stored[_SUCCESS_KEY.format(name)] for name in names if _SUCCESS_KEY.format(name) in stored}


@lru_cache(maxsize=4)
def _broker_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=BROKER_TIMEOUT_SECONDS, socket_connect_timeout=BROKER_TIMEOUT_SECONDS
    )


def _published_at(raw: bytes | None) -> float | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)["headers"].get(PUBLISHED_AT_HEADER)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def celery_queue_states() -> dict[str, tuple[int, float]]:
    """``{queue: (messages waiting, age in seconds of the oldest)}``; empty off Redis."""
    conf = _celery_app().conf
    url = str(conf.broker_url or "")
    if not url.startswith(("redis://", "rediss://")):
        return {}
    prefix = (conf.broker_transport_options or {}).get("global_keyprefix", "")
    names = [queue.name for queue in conf.task_queues or ()]
    pipe = _broker_client(url).pipeline(transaction=False)
    for name in names:
        pipe.llen(prefix + name)
        pipe.lindex(prefix + name, -1)  # kombu pushes on the left and pops on the right
    replies = pipe.execute()
    now, states = time.time(), {}
    for index, name in enumerate(names):
        length, oldest = replies[2 * index], _published_at(replies[2 * index + 1])
        states[name] = (int(length), max(0.0, now - oldest) if oldest is not None else 0.0)
    return states


OUTBOX_STATES = ("waiting", "given_up")


def outbox_backlog() -> dict[str, tuple[int, float]]:
    """``{state: (messages not done, age in seconds of the oldest)}`` of the outbox (one query)."""
    messages = apps.get_model("outbox", "OutboxMessage").objects.filter(done_at__isnull=True)
    given_up = Q(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS)
    row = messages.aggregate(
        waiting=Count("pk", filter=~given_up),
        waiting_oldest=Min("created_at", filter=~given_up),
        given_up=Count("pk", filter=given_up),
        given_up_oldest=Min("created_at", filter=given_up),
    )
    now = timezone.now()
    return {
        state: (
            row[state],
            max(0.0, (now - row[f"{state}_oldest"]).total_seconds()) if row[f"{state}_oldest"] else 0.0,
        )
        for state in OUTBOX_STATES
    }


# name -> (help, label): the gauges this collector serves.
OPS_GAUGES = {
    "designia_dependency_up": ("Readiness check of a backing service (1 ok).", "dependency"),
    "designia_celery_queue_length": ("Tasks waiting in the broker, per queue.", "queue"),
    "designia_celery_queue_oldest_task_age_seconds": (
        "Age of the oldest task waiting in the broker, per queue (0 when empty).",
        "queue",
    ),
    "designia_periodic_task_last_success_timestamp_seconds": (
        "Unix time of the last success of each beat-scheduled task.",
        "task",
    ),
    "designia_outbox_pending": ("Must-happen tasks recorded in the outbox and not done yet.", "state"),
    "designia_outbox_oldest_pending_age_seconds": (
        "Age of the oldest outbox message not done yet (0 when none).",
        "state",
    ),
}


def _gauge(name: str, values: dict[str, float]) -> GaugeMetricFamily:
    help_text, label = OPS_GAUGES[name]
    family = GaugeMetricFamily(name, help_text, labels=[label])
    for label_value, value in values.items():
        family.add_metric([label_value], value)
    return family


def _dependencies() -> dict[str, float]:
    from designiaBackend.api.health import readiness_checks

    return {name: 1.0 if state == "ok" else 0.0 for name, state in readiness_checks().items()}


def _queue_states() -> dict[str, tuple[int, float]]:
    try:
        return celery_queue_states()
    except redis.RedisError as exc:
        logger.warning("Celery queues unreadable: %s", exc)
        return {}


def _last_successes() -> dict[str, float]:
    try:
        return periodic_task_last_successes()
    except Exception as exc:  # noqa: BLE001 - the cache's outage shows in designia_dependency_up
        logger.warning("Periodic task successes unreadable: %s", exc)
        return {}


def _outbox_backlog() -> dict[str, tuple[int, float]]:
    try:
        return outbox_backlog()
    except DatabaseError as exc:  # the database's outage shows in designia_dependency_up
        logger.warning("Outbox backlog unreadable: %s", exc)
        return {}


class OpsCollector(Collector):
    """Computes the gauges above at each scrape."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The families without samples: their names, for the registry and the config tests."""
        for name in OPS_GAUGES:
            yield _gauge(name, {})

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield _gauge("designia_dependency_up", _dependencies())
        queues = _queue_states()
        yield _gauge("designia_celery_queue_length", {name: length for name, (length, _) in queues.items()})
        yield _gauge(
            "designia_celery_queue_oldest_task_age_seconds", {name: age for name, (_, age) in queues.items()}
        )
        yield _gauge("designia_periodic_task_last_success_timestamp_seconds", _last_successes())
        outbox = _outbox_backlog()
        yield _gauge("designia_outbox_pending", {state: count for state, (count, _) in outbox.items()})
        yield _gauge(
            "designia_outbox_oldest_pending_age_seconds", {state: age for state, (_, age) in outbox.items()}
        )


def ops_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OpsCollector())
    return registry
