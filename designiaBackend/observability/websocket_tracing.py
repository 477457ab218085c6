"""A span per WebSocket event handled by a Channels consumer (connect, each frame, disconnect,
and each channel-layer event pushed to the socket), with the request id of the handshake."""

from channels.exceptions import StopConsumer
from opentelemetry.trace import SpanKind, Status, StatusCode

from designiaBackend.observability.context import (
    REQUEST_ID_HEADER,
    bind_request_id,
    is_valid_request_id,
    new_request_id,
    reset_request_id,
)
from designiaBackend.observability.tracing import configured_tracer

_tracer_name = "designia.channels"


def _scope_request_id(scope):
    header = REQUEST_ID_HEADER.lower().encode()
    for name, value in scope.get("headers", ()):
        if name.lower() == header:
            candidate = value.decode("latin-1")
            if is_valid_request_id(candidate):
                return candidate
    return new_request_id()


class TracedConsumerMixin:
    """Mix into a Channels consumer (before the consumer class) to trace its events."""

    async def dispatch(self, message):
        if not hasattr(self, "_request_id"):
            self._request_id = _scope_request_id(self.scope)
        token = bind_request_id(self._request_id)
        tracer = configured_tracer(_tracer_name)
        if tracer is None:  # tracing off: no span objects, context switches or attributes per frame
            try:
                await super().dispatch(message)
            finally:
                reset_request_id(token)
            return
        route = self.scope.get("path", "")
        event = message.get("type", "unknown")
        try:
            with tracer.start_as_current_span(
                f"WS {type(self).__name__} {event}",
                kind=SpanKind.SERVER,
                attributes={
                    "websocket.event": event,
                    "url.path": route,
                    "consumer": type(self).__name__,
                    "http.request_id": self._request_id,
                },
                record_exception=False,
                set_status_on_exception=False,
            ) as span:
                await self._traced_dispatch(span, message)
        finally:
            reset_request_id(token)

    async def _traced_dispatch(self, span, message):
        try:
            await super().dispatch(message)
        except StopConsumer:  # the normal end of a connection, not an error
            raise
        except Exception as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        user = self.scope.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            span.set_attribute("enduser.id", str(user.pk))
