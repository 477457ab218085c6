"""OpenTelemetry tracing, set up once per process by ``configure_tracing()``.

Called from ``wsgi.py``, ``asgi.py``, ``manage.py runserver`` and the Celery worker/beat start.
Configured only by the standard variables, and off unless asked for:

- ``OTEL_TRACES_EXPORTER``: ``otlp`` (OTLP over HTTP/protobuf, e.g. to Jaeger) and/or
  ``console``; unset or ``none`` leaves tracing off. ``OTEL_SDK_DISABLED=true`` turns it off.
- ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``..._HEADERS``, ...
  (read by the exporter), ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES``, and
  ``OTEL_TRACES_SAMPLER`` / ``OTEL_TRACES_SAMPLER_ARG`` (read by the SDK).
- ``OTEL_PYTHON_DJANGO_EXCLUDED_URLS`` (e.g. ``metrics,api/health``), read by the Django
  instrumentation.

Instrumented: Django (WSGI and ASGI requests), MySQL (mysqlclient), Redis (cache, channel layer,
broker client), Celery (publish and run; the trace context travels in the task message headers),
outgoing HTTP (requests, urllib3: Stripe, rate APIs) and botocore (S3). Channels consumers get
their spans from ``websocket_tracing.TracedConsumerMixin``.
"""

import logging
import os
import threading
from typing import Any

from opentelemetry import trace

logger = logging.getLogger(__name__)

DEFAULT_SERVICE_NAME = "designia-backend"

_lock = threading.Lock()
_state: dict[str, Any] = {"provider": None, "instrumentors": []}


def tracing_requested() -> bool:
    """True when the environment asks for traces (the default is off)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(_exporter_names())


def _exporter_names():
    names = [name.strip().lower() for name in os.environ.get("OTEL_TRACES_EXPORTER", "").split(",")]
    return [name for name in names if name and name != "none"]


def _exporters_from_environment():
    exporters = []
    for name in _exporter_names():
        if name == "otlp":
            protocol = os.environ.get(
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "")
            )
            if protocol and protocol != "http/protobuf":
                logger.warning("OTLP protocol %r is not installed; using http/protobuf.", protocol)
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())
        elif name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter())
        else:
            logger.warning("Unknown OTEL_TRACES_EXPORTER %r ignored.", name)
    return exporters


def _resource():
    from opentelemetry.sdk.resources import Resource

    attributes = {}
    resource_env = os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    if not os.environ.get("OTEL_SERVICE_NAME") and "service.name=" not in resource_env:
        attributes["service.name"] = DEFAULT_SERVICE_NAME
    return Resource.create(attributes)


def _instrumentors():
    from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.mysqlclient import MySQLClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    return [
        DjangoInstrumentor(),
        MySQLClientInstrumentor(),
        RedisInstrumentor(),
        CeleryInstrumentor(),
        RequestsInstrumentor(),
        URLLib3Instrumentor(),
        BotocoreInstrumentor(),
    ]


def configure_tracing(*, span_processors=None, set_global=True) -> bool:
    """Set up the tracer provider and the instrumentations; returns whether tracing is on.

    ``span_processors`` replaces the exporters named by the environment (tests pass an in-memory
    one, with ``set_global=False`` because the global provider can be set only once).
    """
    with _lock:
        if _state["provider"] is not None:
            return True
        if span_processors is None:
            if not tracing_requested():
                return False
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            span_processors = [BatchSpanProcessor(exporter) for exporter in _exporters_from_environment()]
        from opentelemetry.sdk.trace import TracerProvider

        provider = TracerProvider(resource=_resource())
        for processor in span_processors:
            provider.add_span_processor(processor)
        if set_global:
            trace.set_tracer_provider(provider)
        instrumentors = _instrumentors()
        for instrumentor in instrumentors:
            if not instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.instrument(tracer_provider=provider)
        _state.update(provider=provider, instrumentors=instrumentors)
        logger.info("OpenTelemetry tracing on (%s).", provider.resource.attributes.get("service.name"))
        return True


def shutdown_tracing():
    """Remove the instrumentations and flush the spans (tests; process exit flushes by itself)."""
    with _lock:
        provider = _state["provider"]
        if provider is None:
            return
        for instrumentor in _state["instrumentors"]:
            if instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.uninstrument()
        provider.shutdown()
        _state.update(provider=None, instrumentors=[])


def get_tracer(name: str):
    """A tracer from the configured provider (a no-op one while tracing is off)."""
    provider = _state["provider"]
    return provider.get_tracer(name) if provider is not None else trace.get_tracer(name)


def configured_tracer(name: str):
    """The configured provider's tracer (made once per provider), or None while tracing is off:
    for hot paths (a span per socket frame) that skip their span work entirely when off."""
    provider = _state["provider"]
    if provider is None:
        return None
    cached = _state.get("tracers")
    if cached is None or cached[0] is not provider:
        cached = _state["tracers"] = (provider, {})
    tracers: dict[str, Any] = cached[1]
    tracer = tracers.get(name)
    if tracer is None:
        tracer = tracers[name] = provider.get_tracer(name)
    return tracer
