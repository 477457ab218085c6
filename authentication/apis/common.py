"""Shared bits of the account views: throttles, documented error responses, login answers, and
the form views (``ServiceView``s that answer a message or a login)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication.selectors import user_get_with_profile
from authentication.serializers.users import AuthErrorSerializer, AuthMessageSerializer, UserSerializer
from designiaBackend.api.throttling import AccountRateThrottle, IPRateThrottle
from designiaBackend.api.views import ServiceView
from designiaBackend.observability import metrics

THROTTLES = [IPRateThrottle, AccountRateThrottle]

VALIDATION_ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors or a refusal with detail.")
ERROR = OpenApiResponse(AuthErrorSerializer, description="Error with detail, error and code.")
THROTTLED = OpenApiResponse(AuthErrorSerializer, description="Too many attempts; try again later.")
UNAUTHORIZED = OpenApiResponse(AuthErrorSerializer, description="Missing, invalid or expired access token.")

# The documented answers of a form endpoint, anonymous or signed in.
PUBLIC_FORM = {200: AuthMessageSerializer, 400: VALIDATION_ERROR, 429: THROTTLED}
SIGNED_IN_FORM = {200: AuthMessageSerializer, 400: VALIDATION_ERROR, 401: UNAUTHORIZED, 429: THROTTLED}

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


class PublicView(APIView):
    """No authentication at all: a stale token sent by the client is simply ignored."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = THROTTLES


class FormView(ServiceView):
    # Post a small form, run one account step (``ServiceView``), answer ``{"message": message}``
    # unless a view says otherwise. (A comment: a docstring would show on every subclass's schema.)
    throttle_classes = THROTTLES
    responses = SIGNED_IN_FORM
    message = ""

    def respond(self, request, result):
        return Response({"message": self.message})


class PublicFormView(FormView, PublicView):
    responses = PUBLIC_FORM
    caller = None


class LoginFormView(PublicFormView):
    # A login step: counts its throttled attempts and answers with tokens or a 2FA challenge.
    message = "Login successful."

    def throttled(self, request, wait):
        metrics.LOGINS.labels(outcome="throttled").inc()
        super().throttled(request, wait)

    def respond(self, request, result):
        return login_response(result, message=self.message)
