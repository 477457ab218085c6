"""Shared bits of the account views: throttles, documented error responses, login answers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from authentication.selectors import user_get_with_profile
from authentication.serializers.users import AuthErrorSerializer, UserSerializer
from designiaBackend.api.throttling import AccountRateThrottle, IPRateThrottle

THROTTLES = [IPRateThrottle, AccountRateThrottle]

VALIDATION_ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors or a refusal with detail.")
ERROR = OpenApiResponse(AuthErrorSerializer, description="Error with detail, error and code.")
THROTTLED = OpenApiResponse(AuthErrorSerializer, description="Too many attempts; try again later.")
UNAUTHORIZED = OpenApiResponse(AuthErrorSerializer, description="Missing, invalid or expired access token.")

TWO_FACTOR_MESSAGE = "A verification code has been sent to your email. Enter it to finish logging in."


def user_payload(user):
    return UserSerializer(user_get_with_profile(user_id=user.pk)).data


def login_response(result, message="Login successful."):
    """200 with tokens and the user, or 202 when the second factor is pending (contract §2.3)."""
    if result.two_factor_required:
        return Response(
            {"message": TWO_FACTOR_MESSAGE, "user_id": str(result.user.pk), "requires_2fa": True},
            status=status.HTTP_202_ACCEPTED,
        )
    body = {
        "access": result.access,
        "refresh": result.refresh,
        "user": user_payload(result.user),
        "message": message,
    }
    return Response(body, status=status.HTTP_200_OK)
