"""The user object of contract §2.4, identical in every response that carries it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authentication.models import Profile, User
from authentication.services.profile import PROFILE_ABOUT_FIELDS, PROFILE_SETTING_FIELDS
from infrastructure.storage import public_url


class ProfileSerializer(serializers.ModelSerializer):
    profile_picture_url = serializers.SerializerMethodField()
    shop_logo_url = serializers.SerializerMethodField()
    phone_number = serializers.SerializerMethodField()
    # Blank until set: plain strings in the schema (an empty value is neither a URI nor a choice).
    website = serializers.CharField(read_only=True)
    gender = serializers.CharField(read_only=True)

    class Meta:
        model = Profile
        # The editable fields (profile_update's) and the read-only ones, in the contract's order.
        fields = [
            "profile_picture_url",
            *PROFILE_ABOUT_FIELDS,
            "shop_name",
            "shop_logo_url",
            *PROFILE_SETTING_FIELDS,
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_profile_picture_url(self, profile):
        return public_url(profile.avatar)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_shop_logo_url(self, profile):
        return public_url(profile.shop_logo)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone_number(self, profile):
        return profile.phone_number or None


class UserSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    avatar = serializers.SerializerMethodField()
    profile = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "avatar",
            "profile",
            "two_factor_enabled",
            "is_email_verified",
            "last_login",
            "language",
            "date_joined",
        ]
        read_only_fields = fields

    def _profile(self, user):
        try:
            return user.profile
        except Profile.DoesNotExist:
            return Profile(user=user)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar(self, user):
        return public_url(self._profile(user).avatar)

    @extend_schema_field(ProfileSerializer)
    def get_profile(self, user):
        return ProfileSerializer(self._profile(user)).data


class AuthMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class PasswordChangedSerializer(serializers.Serializer):
    message = serializers.CharField()
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenPairResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = UserSerializer()
    message = serializers.CharField()


class TwoFactorChallengeSerializer(serializers.Serializer):
    message = serializers.CharField()
    user_id = serializers.CharField()
    requires_2fa = serializers.BooleanField()


class RegisterResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    user = UserSerializer()


class AccountStatusSerializer(serializers.Serializer):
    two_factor_enabled = serializers.BooleanField()
    is_email_verified = serializers.BooleanField()
    role = serializers.CharField()
    has_usable_password = serializers.BooleanField()


class AvatarResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    profile_picture_url = serializers.URLField(allow_null=True)


class ExportResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    estimated_time = serializers.CharField()


class AuthErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    error = serializers.CharField()
    code = serializers.CharField()


class ExportLimitedSerializer(AuthErrorSerializer):
    """429 of E18: when the next export is allowed, and the last archive's link while it is valid."""

    next_allowed_at = serializers.DateTimeField()
    download_url = serializers.URLField(allow_null=True)
    download_expires_at = serializers.DateTimeField(allow_null=True)
