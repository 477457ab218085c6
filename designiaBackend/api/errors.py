"""JSON bodies for errors raised outside DRF views (unknown URLs, crashes in plain views)."""

from django.http import JsonResponse

from designiaBackend.api.exceptions import error_body


def not_found(request, exception=None):
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def server_error(request):
    return JsonResponse(error_body("Internal server error.", "server_error"), status=500)
