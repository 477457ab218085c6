"""Sign-up, e-mail verification, login (password, 2FA, Google) and token refresh (E01–E06)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from authentication.apis.common import (
    ERROR,
    THROTTLED,
    VALIDATION_ERROR,
    LoginFormView,
    PublicFormView,
    PublicView,
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


class VerifyEmailView(PublicFormView):
    throttle_scope = "register"
    form = inputs.TokenSerializer
    service = registration.email_verify
    message = "Your email is verified. You can log in now."


class ResendVerificationView(PublicFormView):
    throttle_scope = "register"
    form = inputs.EmailSerializer
    service = registration.verification_email_resend
    message = "If this address belongs to an unverified account, a new verification link is on its way."


class LoginView(LoginFormView):
    throttle_scope = "login"
    form = inputs.LoginSerializer
    service = sessions.login_with_password
    responses = {
        200: TokenPairResponseSerializer,
        202: TwoFactorChallengeSerializer,
        400: VALIDATION_ERROR,
        401: ERROR,
        403: ERROR,
        429: THROTTLED,
    }


class LoginTwoFactorView(LoginFormView):
    throttle_scope = "two_factor"
    form = inputs.TwoFactorLoginSerializer
    service = sessions.login_verify_two_factor
    responses = {200: TokenPairResponseSerializer, 400: VALIDATION_ERROR, 429: THROTTLED}


class GoogleLoginView(LoginFormView):
    throttle_scope = "login"
    form = inputs.GoogleLoginSerializer
    service = google.login_with_google
    message = "Signed in with Google."
    responses = {
        200: TokenPairResponseSerializer,
        202: TwoFactorChallengeSerializer,
        400: VALIDATION_ERROR,
        409: ERROR,
        429: THROTTLED,
        503: ERROR,
    }


class TokenRefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(required=False)


class TokenRefreshView(PublicFormView):
    """E06: ``{refresh}`` → ``{access, refresh}``. The old refresh token is spent, except within
    the grace window, where parallel refreshes get the same new one (``services.tokens``)."""

    form = inputs.RefreshTokenSerializer
    service = tokens.refresh_token_rotate
    responses = {200: TokenRefreshResponseSerializer, 400: VALIDATION_ERROR, 401: ERROR}

    def respond(self, request, result):
        return Response({"access": result.access, "refresh": result.refresh})


class LogoutView(PublicFormView):
    """Signs the login out: every refresh and access token of its family is refused from now on."""

    form = inputs.RefreshTokenSerializer
    service = tokens.token_family_revoke
    responses = {200: AuthMessageSerializer, 400: VALIDATION_ERROR, 401: ERROR}
    message = "You are signed out."
