"""One error shape for every 4xx/5xx response (contract §3).

Non-validation errors: ``{"detail": <text>, "error": <text or machine code>, "code": <code>}``.
Validation errors: DRF field lists, ``{"<field>": [...], "non_field_errors": [...], "code":
"invalid"}``, with no generic top-level text that would hide the specific reason (§3.3).

Services refuse with ``designiaBackend.errors.ApplicationError`` (no web framework there); this
handler maps it to its status and body. A database that cannot be reached (down, restarting, the
connection lost mid-request) answers 503 ``database_unavailable`` with ``Retry-After``, not 500:
the request changed nothing it did not commit, and trying again shortly is the right move.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from designiaBackend.errors import (  # noqa: F401  (re-exported: the base's former home)
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
)

logger = logging.getLogger(__name__)

# MySQL/MariaDB client and server codes of a server that cannot be reached or went away: can't
# connect (socket, TCP), gone away, lost connection, server shutting down, connection killed.
_UNREACHABLE_CODES = frozenset({1053, 1927, 2002, 2003, 2006, 2013, 2055, 4031})
DATABASE_RETRY_AFTER_SECONDS = 5


def database_unreachable(exc) -> bool:
    """True when ``exc`` says the database cannot be reached (not a lock wait, a bad query...)."""
    if isinstance(exc, InterfaceError):  # the connection was already closed under Django
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = exc.args[0] if exc.args else None
    return code in _UNREACHABLE_CODES


def database_unavailable_body() -> dict:
    return error_body(
        "The service is unavailable for a moment. Please try again shortly.", "database_unavailable"
    )


def database_unavailable_response() -> Response:
    return Response(
        database_unavailable_body(),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def error_body(message: object, code: str, error: object = None, **extra: Any) -> dict[str, Any]:
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
        return Response(body, status=exc.status, headers=getattr(exc, "headers", None))  # e.g. Retry-After
    if isinstance(exc, RequestDataTooBig):  # a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE
        set_rollback()
        return Response(
            error_body("The request body is too large.", "request_too_large"),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if database_unreachable(exc):
        set_rollback()
        logger.error("Database unreachable in %s: %r", context.get("view").__class__.__name__, exc)
        return database_unavailable_response()
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
