from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.negotiation import DefaultContentNegotiation

from ar.exceptions import ModelTooLargeError


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class ModelFormatNegotiation(DefaultContentNegotiation):
    """Content negotiation that leaves ``?format=`` alone: here it names a model format
    (glb, usdz), not a DRF renderer, which would otherwise answer 404."""

    settings = _NoFormatOverride()


def error_response(description):
    """An error answer: ``{detail, error, code}``, or field lists with ``code: invalid`` (400)."""
    return OpenApiResponse(OpenApiTypes.OBJECT, description=description)


def parse_query(serializer_class, request, **extra):
    serializer = serializer_class(data={**request.query_params.dict(), **extra})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def parse_body(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def refuse_oversized_body(request):
    """Refuse a body that cannot hold a model within the limit before it is parsed (JSON bodies
    are not bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE when DRF streams them)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    # base64 grows data by 4/3; leave room for the rest of the form or JSON.
    if length > settings.AR_MODEL_MAX_SIZE * 4 // 3 + 64 * 1024:
        raise ModelTooLargeError(f"The model is larger than {settings.AR_MODEL_MAX_SIZE} bytes.")
