"""Re-authentication, account status, two-factor on/off and passwords (E08–E14, change password)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication.apis.common import THROTTLED, THROTTLES, UNAUTHORIZED, VALIDATION_ERROR
from authentication.apis.sessions import PublicView
from authentication.serializers import inputs
from authentication.serializers.users import (
    AccountStatusSerializer,
    AuthMessageSerializer,
    PasswordChangedSerializer,
)
from authentication.services import credentials
from authentication.services.sessions import tokens_issue

SIGNED_IN = {401: UNAUTHORIZED, 429: THROTTLED}


class VerifyPasswordView(APIView):
    throttle_classes = THROTTLES
    throttle_scope = "login"

    @extend_schema(
        request=inputs.PasswordSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, **SIGNED_IN},
    )
    def post(self, request):
        serializer = inputs.PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials.password_check(user=request.user, password=serializer.validated_data["password"])
        return Response({"message": "Password confirmed."})


class AccountStatusView(APIView):
    @extend_schema(responses={200: AccountStatusSerializer, 401: UNAUTHORIZED})
    def get(self, request):
        user = request.user
        return Response(
            {
                "two_factor_enabled": user.two_factor_enabled,
                "is_email_verified": user.is_email_verified,
                "role": user.role,
                "has_usable_password": user.has_usable_password(),
            }
        )


class TwoFactorSendCodeView(APIView):
    throttle_classes = THROTTLES
    throttle_scope = "two_factor"

    @extend_schema(
        request=inputs.SendCodeSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, **SIGNED_IN},
    )
    def post(self, request):
        serializer = inputs.SendCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purpose = serializer.validated_data["purpose"]
        credentials.two_factor_code_send(user=request.user, purpose=purpose)
        return Response({"message": "A 6-digit code has been sent to your email."})


class _TwoFactorToggleView(APIView):
    throttle_classes = THROTTLES
    throttle_scope = "two_factor"
    service = None
    message = ""

    @extend_schema(
        request=inputs.CodeSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, **SIGNED_IN},
    )
    def post(self, request):
        serializer = inputs.CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = type(self).service(user=request.user, code=serializer.validated_data["code"])
        return Response({"message": self.message, "two_factor_enabled": user.two_factor_enabled})


class TwoFactorEnableView(_TwoFactorToggleView):
    service = credentials.two_factor_enable
    message = "Two-factor authentication is on."


class TwoFactorDisableView(_TwoFactorToggleView):
    service = credentials.two_factor_disable
    message = "Two-factor authentication is off."


class PasswordResetView(PublicView):
    throttle_scope = "password_reset"

    @extend_schema(
        request=inputs.EmailSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, 429: THROTTLED},
    )
    def post(self, request):
        serializer = inputs.EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials.password_reset_request(email=serializer.validated_data["email"])
        message = "If an account exists for this email, we have sent a link to reset the password."
        return Response({"message": message})


class PasswordResetVerifyView(PublicView):
    throttle_scope = "password_reset"

    @extend_schema(
        request=inputs.PasswordResetConfirmSerializer,
        responses={200: AuthMessageSerializer, 400: VALIDATION_ERROR, 429: THROTTLED},
    )
    def post(self, request):
        serializer = inputs.PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        credentials.password_reset_confirm(email=data["email"], code=data["code"], password=data["password"])
        return Response({"message": "Your password has been reset. You can log in now."})


class PasswordChangeView(APIView):
    """Changing the password signs out every other session; this one gets a new token pair."""

    throttle_classes = THROTTLES
    throttle_scope = "login"

    @extend_schema(
        request=inputs.PasswordChangeSerializer,
        responses={200: PasswordChangedSerializer, 400: VALIDATION_ERROR, **SIGNED_IN},
    )
    def post(self, request):
        serializer = inputs.PasswordChangeSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = credentials.password_change(
            user=request.user, current_password=data["current_password"], new_password=data["new_password"]
        )
        access, refresh = tokens_issue(user=user)
        return Response({"message": "Your password has been changed.", "access": access, "refresh": refresh})
