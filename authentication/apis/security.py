"""Re-authentication, account status, two-factor on/off and passwords (E08–E14, change password)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication.apis.common import SIGNED_IN_FORM, UNAUTHORIZED, FormView, PublicFormView
from authentication.serializers import inputs
from authentication.serializers.users import AccountStatusSerializer, PasswordChangedSerializer
from authentication.services import credentials
from authentication.services.sessions import tokens_issue


class VerifyPasswordView(FormView):
    throttle_scope = "login"
    form = inputs.PasswordSerializer
    service = credentials.password_check
    message = "Password confirmed."


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


class TwoFactorSendCodeView(FormView):
    throttle_scope = "two_factor"
    form = inputs.SendCodeSerializer
    service = credentials.two_factor_code_send
    message = "A 6-digit code has been sent to your email."


class _TwoFactorToggleView(FormView):
    throttle_scope = "two_factor"
    form = inputs.CodeSerializer

    def respond(self, request, result):
        return Response({"message": self.message, "two_factor_enabled": result.two_factor_enabled})


class TwoFactorEnableView(_TwoFactorToggleView):
    service = credentials.two_factor_enable
    message = "Two-factor authentication is on."


class TwoFactorDisableView(_TwoFactorToggleView):
    service = credentials.two_factor_disable
    message = "Two-factor authentication is off."


class PasswordResetView(PublicFormView):
    throttle_scope = "password_reset"
    form = inputs.EmailSerializer
    service = credentials.password_reset_request
    message = "If an account exists for this email, we have sent a link to reset the password."


class PasswordResetVerifyView(PublicFormView):
    throttle_scope = "password_reset"
    form = inputs.PasswordResetConfirmSerializer
    service = credentials.password_reset_confirm
    message = "Your password has been reset. You can log in now."


class PasswordChangeView(FormView):
    """Changing the password signs out every other session; this one gets a new token pair."""

    throttle_scope = "login"
    form = inputs.PasswordChangeSerializer
    service = credentials.password_change
    responses = {**SIGNED_IN_FORM, 200: PasswordChangedSerializer}

    def respond(self, request, result):
        access, refresh = tokens_issue(user=result)
        return Response({"message": "Your password has been changed.", "access": access, "refresh": refresh})
