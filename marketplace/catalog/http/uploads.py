"""Request-size handling for the catalogue's upload endpoints."""

from django.core.exceptions import RequestDataTooBig

from designiaBackend.errors import ApplicationError


class LargeBodyMixin:
    """Answer 413 in the error shape when a body exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):
            exc = ApplicationError(
                "The request is too large. Send fewer or smaller images.",
                code="request_too_large",
                status=413,
            )
        return super().handle_exception(exc)
