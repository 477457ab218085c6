"""JSON bodies for errors raised outside DRF views (unknown URLs, crashes in plain views)."""

import sys

from django.http import JsonResponse

from designiaBackend.api.exceptions import (
    DATABASE_RETRY_AFTER_SECONDS,
    database_unavailable_body,
    database_unreachable,
    error_body,
)


def not_found(request, exception=None):
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def server_error(request):
    """Django calls this inside its ``except``: an unreachable database answers 503, as in DRF views."""
    if database_unreachable(sys.exc_info()[1]):
        response = JsonResponse(database_unavailable_body(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return JsonResponse(error_body("Internal server error.", "server_error"), status=500)
