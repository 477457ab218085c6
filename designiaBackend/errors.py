"""The one error base of the project: a refusal with a message, a machine code and an HTTP status.

Services raise these; this module imports no web framework, so the domain does not depend on
one. The DRF exception handler (``designiaBackend.api.exceptions``) renders them in the
project's one error shape; socket consumers send ``code`` and ``message`` in error frames.
Statuses are plain ints (``status = 409``).
"""

from typing import Any


class ApplicationError(Exception):
    """A refusal by a service: a human message, a stable machine code and an HTTP status.

    Apps subclass it in their ``exceptions.py`` with a fixed ``code`` and ``status``.
    ``error`` overrides the value of the ``error`` key (the contract asks for machine codes
    such as ``EMPTY_CART`` there); ``extra`` adds keys to the body.
    """

    code: str = "error"
    status: int = 400
    default_message: str = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        error: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
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
    status = 404
    default_message = "Not found."


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = "You do not have permission to perform this action."


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409
    default_message = "The request conflicts with the current state."


class ServiceUnavailableError(ApplicationError):
    """A provider failed in a way worth retrying (network, timeout, 5xx)."""

    code = "service_unavailable"
    status = 503
    default_message = "A service we depend on is unavailable. Please try again shortly."
