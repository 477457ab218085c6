"""One error shape for every 4xx/5xx response (contract §3).

Non-validation errors: ``{"detail": <text>, "error": <text or machine code>, "code": <code>}``.
Validation errors: DRF field lists, ``{"<field>": [...], "non_field_errors": [...], "code":
"invalid"}``, with no generic top-level text that would hide the specific reason (§3.3).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A refusal by a service: a human message, a stable machine code and an HTTP status.

    Apps subclass it in their ``exceptions.py`` with a fixed ``code`` and ``status``.
    ``error`` overrides the value of the ``error`` key (the contract asks for machine codes
    such as ``EMPTY_CART`` there); ``extra`` adds keys to the body.
    """

    code = "error"
    status = status.HTTP_400_BAD_REQUEST
    default_message = "The request could not be completed."

    def __init__(self, message=None, *, code=None, status=None, error=None, extra=None):
        self.message = message or self.default_message
        if code:
            self.code = code
        if status:
            self.status = status
        self.error = error
        self.extra = extra or {}
        super().__init__(self.message)


class NotFoundError(ApplicationError):
    code = "not_found"
    status = status.HTTP_404_NOT_FOUND
    default_message = "Not found."


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = status.HTTP_403_FORBIDDEN
    default_message = "You do not have permission to perform this action."


class ConflictError(ApplicationError):
    code = "conflict"
    status = status.HTTP_409_CONFLICT
    default_message = "The request conflicts with the current state."


class ServiceUnavailableError(ApplicationError):
    """A provider failed in a way worth retrying (network, timeout, 5xx)."""

    code = "service_unavailable"
    status = status.HTTP_503_SERVICE_UNAVAILABLE
    default_message = "A service we depend on is unavailable. Please try again shortly."


def error_body(message, code, error=None, **extra):
    return {"detail": str(message), "error": str(error or message), "code": code, **extra}


def _validation_body(exc):
    data = exc.detail
    if not isinstance(data, dict):
        data = {"non_field_errors": data if isinstance(data, list) else [data]}
    body = dict(data)
    # A field literally named "code" keeps its list; otherwise add the machine code last so the
    # client's "first key" reader still shows the first field error.
    body.setdefault("code", "invalid")
    return body


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        set_rollback()
        body = error_body(exc.message, exc.code, exc.error, **exc.extra)
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        set_rollback()
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return Response(
            error_body("Internal server error.", "server_error"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
        return response

    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, dict):
        detail = detail.get("detail", "Request failed.")
    if isinstance(detail, list):
        detail = " ".join(str(item) for item in detail)
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = error_body(detail, code)
    return response
