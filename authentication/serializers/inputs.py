"""Request bodies of the account endpoints. Unknown keys (role, is_staff, ...) are ignored."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from authentication.models import Profile, User, VerificationCode

PHONE_PATTERN = re.compile(r"^\+?[0-9 ().-]{6,24}$")


def check_password(password, user=None, field="password"):
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({field: list(exc.messages)}) from exc


def check_confirmation(attrs, field="password", confirm="password_confirm"):
    """The confirmation must repeat ``field``; once checked it is spent (it leaves ``attrs``)."""
    if attrs[field] != attrs.pop(confirm):
        raise serializers.ValidationError({confirm: ["The two passwords do not match."]})


class CodeField(serializers.RegexField):
    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": "Enter the 6-digit code from the email."})
        super().__init__(r"^\d{6}$", **kwargs)


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="Ignored: derived from the email."
    )
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    password_confirm = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)

    def validate_email(self, value):
        value = value.strip().lower()
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError("An account with this email already exists.")
        return value

    def validate(self, attrs):
        check_confirmation(attrs)
        candidate = User(email=attrs["email"], first_name=attrs["first_name"], last_name=attrs["last_name"])
        check_password(attrs["password"], user=candidate)
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512)


class RefreshTokenSerializer(serializers.Serializer):
    # Read as the services' ``raw_token`` (the body field stays ``refresh``).
    refresh = serializers.CharField(max_length=2048, trim_whitespace=True, source="raw_token")


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TwoFactorLoginSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    code = CodeField()


class GoogleLoginSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=8192)


class CodeSerializer(serializers.Serializer):
    code = CodeField()


class SendCodeSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(
        choices=[VerificationCode.Purpose.ENABLE_2FA, VerificationCode.Purpose.DISABLE_2FA]
    )


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordResetConfirmSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    code = CodeField()
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    password_confirm = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate(self, attrs):
        check_confirmation(attrs)
        user = User.objects.filter(email__iexact=attrs["email"]).first()
        check_password(attrs["password"], user=user)
        return attrs


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password_confirm = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate(self, attrs):
        check_confirmation(attrs, field="new_password", confirm="new_password_confirm")
        check_password(attrs["new_password"], user=self.context["user"], field="new_password")
        return attrs


class AccountDeleteSerializer(serializers.Serializer):
    confirmation = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ProfileUpdateSerializer(serializers.Serializer):
    """One flat body of user and profile fields (contract E15); every field is optional."""

    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    language = serializers.CharField(required=False, max_length=10)
    bio = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=2000)
    location = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=120)
    phone_number = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=32)
    birth_date = serializers.DateField(required=False, allow_null=True)
    gender = serializers.ChoiceField(required=False, allow_blank=True, choices=Profile.Gender.choices)
    website = serializers.URLField(required=False, allow_blank=True, allow_null=True, max_length=200)
    job_title = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=120)
    company = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=120)
    is_public = serializers.BooleanField(required=False)
    marketing_emails = serializers.BooleanField(required=False)
    # Display only; a code without rates is ignored by the catalogue (``?currency=`` answers 400).
    preferred_currency = serializers.RegexField(
        r"^([A-Za-z]{3})?$", required=False, allow_blank=True, max_length=3
    )

    # Where the seller trades from (EU sellers' prices include VAT).
    country = serializers.RegexField(r"^([A-Za-z]{2})?$", required=False, allow_blank=True, max_length=2)

    def validate_preferred_currency(self, value):
        return value.upper()

    def validate_country(self, value):
        return value.upper()

    def validate_phone_number(self, value):
        if value and not PHONE_PATTERN.match(value.strip()):
            raise serializers.ValidationError("Enter a valid phone number.")
        return value.strip() if value else value


class AvatarUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
