"""``GET /metrics`` for Prometheus, and the Celery worker's own metrics port.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn, several daphne processes, prefork Celery
workers) every process writes its samples to files in that directory and the exposition
aggregates them; without it the process's own registry is served.

Access: a request is served when it carries ``Authorization: Bearer <METRICS_TOKEN>`` or comes
from an address in ``METRICS_ALLOWED_NETWORKS``; refused with 403 otherwise. With neither a
token nor a network configured the endpoint does not exist (404).
"""

import hmac
import ipaddress
import logging
import os
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess, start_http_server
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from designiaBackend.api.exceptions import error_body
from designiaBackend.observability.ops_metrics import ops_registry

logger = logging.getLogger(__name__)

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir():
    return os.environ.get(MULTIPROC_DIR_ENV) or None


def metrics_registry():
    """The registry to expose: all processes' files in multi-process mode, else this process."""
    path = multiprocess_dir()
    if path is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)
    return registry


@lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _from_allowed_network(request) -> bool:
    networks = _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


def _has_token(request) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(supplied.strip().encode(), expected.encode())


@require_GET
def metrics_view(request):
    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOWED_NETWORKS:
        raise Http404("Metrics are not exposed.")
    if not (_has_token(request) or _from_allowed_network(request)):
        logger.warning("Refused /metrics to %s", request.META.get("REMOTE_ADDR", "?"))
        return JsonResponse(error_body("Not allowed to read the metrics.", "forbidden"), status=403)
    body = generate_latest(metrics_registry()) + generate_latest(ops_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def start_worker_metrics_server(port: int, address: str = "0.0.0.0"):  # noqa: S104 - scraped in-cluster
    """Serve the worker's metrics (all its pool processes in multi-process mode) on ``port``."""
    server, thread = start_http_server(port, addr=address, registry=metrics_registry())
    logger.info("Celery worker metrics on http://%s:%s/metrics", address, port)
    return server, thread


def mark_process_dead(pid: int):
    """Drop a finished process's live gauges (``livesum``) from the multi-process files."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)
