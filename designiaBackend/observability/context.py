"""The request id of the work in progress (an HTTP request, or the Celery task it enqueued).

Kept in a context variable so that log records, spans and outgoing task messages can read it
wherever they are made, in threads and in asyncio tasks alike.
"""

import contextvars
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# A header accepted from the gateway (Kong's correlation-id plugin sends a UUID). Anything else is
# replaced: the id ends up in logs and response headers, so it must be short and plain.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")

_request_id = contextvars.ContextVar("designia_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def is_valid_request_id(value) -> bool:
    return isinstance(value, str) and bool(_VALID_REQUEST_ID.fullmatch(value))


def get_request_id():
    return _request_id.get()


def bind_request_id(value):
    """Make ``value`` the current request id; returns the token for ``reset_request_id``."""
    return _request_id.set(value)


def reset_request_id(token):
    _request_id.reset(token)
