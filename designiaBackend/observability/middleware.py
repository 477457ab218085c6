"""Request id and HTTP metrics for every request (first in ``settings.MIDDLEWARE``)."""

import time
from contextlib import ExitStack

from django.db import connections
from django.urls import Resolver404, resolve
from opentelemetry import trace

from designiaBackend.observability import metrics
from designiaBackend.observability.context import (
    REQUEST_ID_HEADER,
    bind_request_id,
    is_valid_request_id,
    new_request_id,
    reset_request_id,
)

_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED_VIEW = "unresolved"


class RequestIdMiddleware:
    """Takes a well-formed ``X-Request-ID`` from the gateway or makes one, exposes it as
    ``request.request_id`` and to logs/spans while the request runs, and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER)
        request_id = incoming if is_valid_request_id(incoming) else new_request_id()
        request.request_id = request_id
        trace.get_current_span().set_attribute("http.request_id", request_id)
        token = bind_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def view_label(request) -> str:
    """The route's name (``product-detail``), its pattern if unnamed, ``unresolved`` for a 404."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered before URL resolution (a CORS preflight, a redirect) or not found at all.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNRESOLVED_VIEW
    return match.view_name or match.route or UNRESOLVED_VIEW


class MetricsMiddleware:
    """Counts requests by view, method and status, their duration and their database queries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = _QueryCounter()
        started = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(queries))
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        method = request.method if request.method in _KNOWN_METHODS else "other"
        metrics.HTTP_REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        metrics.HTTP_REQUEST_DURATION.labels(view=view, method=method).observe(elapsed)
        if queries.count:
            metrics.DB_QUERIES.labels(view=view).inc(queries.count)
        return response
