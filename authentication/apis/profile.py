"""The signed-in user's profile, avatar, data export and account deletion (E07, E15–E19)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication.apis.common import UNAUTHORIZED, VALIDATION_ERROR, FormView, user_payload
from authentication.serializers import inputs
from authentication.serializers.users import (
    AuthMessageSerializer,
    AvatarResponseSerializer,
    ExportLimitedSerializer,
    ExportResponseSerializer,
    UserSerializer,
)
from authentication.services import account, exports, profile
from infrastructure.storage import public_url


class ProfileView(APIView):
    @extend_schema(responses={200: UserSerializer, 401: UNAUTHORIZED})
    def get(self, request):
        return Response(user_payload(request.user))

    @extend_schema(
        request=inputs.ProfileUpdateSerializer,
        responses={200: UserSerializer, 400: VALIDATION_ERROR, 401: UNAUTHORIZED},
    )
    def patch(self, request):
        serializer = inputs.ProfileUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = profile.profile_update(user=request.user, data=serializer.validated_data)
        return Response(user_payload(user))


class AvatarUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": inputs.AvatarUploadSerializer},
        responses={200: AvatarResponseSerializer, 400: VALIDATION_ERROR, 401: UNAUTHORIZED},
    )
    def post(self, request):
        serializer = inputs.AvatarUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = profile.avatar_set(user=request.user, file=serializer.validated_data["file"])
        return Response(
            {"message": "Profile picture updated.", "profile_picture_url": public_url(updated.avatar)}
        )


class AvatarDeleteView(APIView):
    @extend_schema(responses={200: AuthMessageSerializer, 401: UNAUTHORIZED})
    def delete(self, request):
        profile.avatar_delete(user=request.user)
        return Response({"message": "Profile picture removed."})


class ExportView(APIView):
    @extend_schema(responses={200: ExportResponseSerializer, 401: UNAUTHORIZED, 429: ExportLimitedSerializer})
    def get(self, request):
        exports.gdpr_export_request(user=request.user)
        hours = settings.GDPR_EXPORT_URL_EXPIRE_SECONDS // 3600
        return Response(
            {
                "message": f"Your data export is being prepared. We will email you a download link, valid for {hours} hours.",
                "estimated_time": "a few minutes",
            }
        )


class AccountDeleteView(FormView):
    throttle_scope = "login"
    form = inputs.AccountDeleteSerializer
    service = account.account_delete
    message = "Your account has been deleted."
