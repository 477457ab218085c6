"""Sign-up, e-mail verification, login (password, 2FA, Google) and token refresh (E01–E06)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication.apis.common import (
    ERROR,
    THROTTLED,
    THROTTLES,
    VALIDATION_ERROR,
    login_response,
    user_payload,
)
from authentication.serializers import inputs
from authentication.serializers.users import (
    AuthMessageSerializer,
    RegisterResponseSerializer,
    TokenPairResponseSerializer,
    TwoFactorChallengeSerializer,
)
from authentication.services import google, registration, sessions, tokens
from designiaBackend.observability import metrics


class PublicView(APIView):
    """No authentication at all: a stale token sent by the client is simply ignored."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = THROTTLES


class RegisterView(PublicView):
    throttle_scope = "register"

    @extend_schema(
        request=inputs.RegisterSerializer,
        responses={201: RegisterResponseSerializer, 400: VALIDATION_ERROR, 409: ERROR, 429: THROTTLED},
    )
    def post(self, request):
        serializer = inputs.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = registration.user_register(
            email=data["email"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        message = "Registration successful. Check your email to verify your account."
        return Response({"message": message, "user": user_payload(user)}, status=status.HTTP_201_CREATED)


class VerifyEmailView(PublicView):
    throttle_scope = "register"

    @extend_schema(
        request=inputs.TokenSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, 429: THROTTLED},
    )
    def post(self, request):
        serializer = inputs.TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration.email_verify(token=serializer.validated_data["token"])
        return Response({"message": "Your email is verified. You can log in now."})


class ResendVerificationView(PublicView):
    throttle_scope = "register"

    @extend_schema(
        request=inputs.EmailSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, 429: THROTTLED},
    )
    def post(self, request):
        serializer = inputs.EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration.verification_email_resend(email=serializer.validated_data["email"])
        message = "If this address belongs to an unverified account, a new verification link is on its way."
        return Response({"message": message})


class LoginThrottleCountingMixin:
    def throttled(self, request, wait):
        metrics.LOGINS.labels(outcome="throttled").inc()
        super().throttled(request, wait)


class LoginView(LoginThrottleCountingMixin, PublicView):
    throttle_scope = "login"

    @extend_schema(
        request=inputs.LoginSerializer,
        responses={
            200: TokenPairResponseSerializer,
            202: TwoFactorChallengeSerializer,
            400: VALIDATION_ERROR,
            401: ERROR,
            403: ERROR,
            429: THROTTLED,
        },
    )
    def post(self, request):
        serializer = inputs.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = sessions.login_with_password(**serializer.validated_data)
        return login_response(result)


class LoginTwoFactorView(LoginThrottleCountingMixin, PublicView):
    throttle_scope = "two_factor"

    @extend_schema(
        request=inputs.TwoFactorLoginSerializer,
        responses={200: TokenPairResponseSerializer, 400: VALIDATION_ERROR, 429: THROTTLED},
    )
    def post(self, request):
        serializer = inputs.TwoFactorLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = sessions.login_verify_two_factor(**serializer.validated_data)
        return login_response(result)


class GoogleLoginView(LoginThrottleCountingMixin, PublicView):
    throttle_scope = "login"

    @extend_schema(
        request=inputs.GoogleLoginSerializer,
        responses={
            200: TokenPairResponseSerializer,
            202: TwoFactorChallengeSerializer,
            400: VALIDATION_ERROR,
            409: ERROR,
            429: THROTTLED,
            503: ERROR,
        },
    )
    def post(self, request):
        serializer = inputs.GoogleLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = google.login_with_google(token=serializer.validated_data["token"])
        return login_response(result, message="Signed in with Google.")


class TokenRefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(required=False)


class TokenRefreshView(PublicView):
    """E06: ``{refresh}`` → ``{access, refresh}``. The old refresh token is spent, except within
    the grace window, where parallel refreshes get the same new one (``services.tokens``)."""

    @extend_schema(
        request=inputs.RefreshTokenSerializer,
        responses={200: TokenRefreshResponseSerializer, 400: VALIDATION_ERROR, 401: ERROR},
    )
    def post(self, request):
        serializer = inputs.RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = tokens.refresh_token_rotate(raw_token=serializer.validated_data["refresh"])
        return Response({"access": pair.access, "refresh": pair.refresh})


class LogoutView(PublicView):
    """Signs the login out: every refresh and access token of its family is refused from now on."""

    @extend_schema(
        request=inputs.RefreshTokenSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, 401: ERROR},
    )
    def post(self, request):
        serializer = inputs.RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.token_family_revoke(raw_token=serializer.validated_data["refresh"])
        return Response({"message": "You are signed out."})
