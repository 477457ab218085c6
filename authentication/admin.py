"""Django admin for accounts and seller applications. Decisions go through the services."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models

from authentication.models import (
    DataExport,
    EmailVerificationToken,
    IssuedRefreshToken,
    Profile,
    SellerApplication,
    SellerApplicationImage,
    TokenFamily,
    User,
    VerificationCode,
)
from authentication.services import sellers
from designiaBackend.api.admin import ReadOnlyAdmin, UploadedImagesForm
from designiaBackend.errors import ApplicationError

logger = logging.getLogger(__name__)

URL_FIELDS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}
DEFAULT_REJECTION_REASON = "Your application does not meet our seller requirements at this time."


class ProfileForm(UploadedImagesForm):
    """Avatar and shop logo uploaded here are stored like the API's (no metadata, server-made names)."""

    image_fields = {"avatar": ("AVATAR_MAX_BYTES", "avatar"), "shop_logo": ("AVATAR_MAX_BYTES", "shop-logo")}


class ProfileInline(admin.StackedInline):
    model = Profile
    form = ProfileForm
    can_delete = False
    fk_name = "user"
    extra = 0
    formfield_overrides = URL_FIELDS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    ordering = ["-date_joined"]
    list_display = [
        "email",
        "username",
        "role",
        "is_email_verified",
        "two_factor_enabled",
        "is_active",
        "date_joined",
    ]
    list_filter = ["role", "is_email_verified", "two_factor_enabled", "is_active", "is_staff"]
    search_fields = ["email", "username", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "deleted_at", "google_sub"]
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Personal", {"fields": ("first_name", "last_name", "language")}),
        (
            "Account",
            {"fields": ("role", "is_email_verified", "two_factor_enabled", "google_sub", "deleted_at")},
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "shop_name", "location", "is_public", "updated_at"]
    list_filter = ["is_public", "gender"]
    search_fields = ["user__email", "user__username", "shop_name", "location"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    formfield_overrides = URL_FIELDS
    form = ProfileForm


class SellerApplicationForm(UploadedImagesForm):
    image_fields = {"shop_logo": ("AVATAR_MAX_BYTES", "logo")}


class SellerApplicationImageForm(UploadedImagesForm):
    image_fields = {"image": ("AVATAR_MAX_BYTES", "work")}


class SellerApplicationImageInline(admin.TabularInline):
    model = SellerApplicationImage
    form = SellerApplicationImageForm
    extra = 0


@admin.register(SellerApplication)
class SellerApplicationAdmin(admin.ModelAdmin):
    list_display = ["business_name", "user", "seller_type", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "seller_type", "submitted_at"]
    search_fields = ["business_name", "user__email", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "status", "reviewed_by", "reviewed_at", "submitted_at"]
    inlines = [SellerApplicationImageInline]
    formfield_overrides = URL_FIELDS
    form = SellerApplicationForm
    actions = ["approve_applications", "reject_applications"]

    def _decide(self, request, queryset, verb, decide):
        done = 0
        for application in queryset:
            try:
                decide(application)
            except ApplicationError as exc:
                self.message_user(request, f"{application}: {exc.message}", level=messages.WARNING)
                continue
            done += 1
            self.log_change(request, application, f"{verb} the seller application")
            logger.info("Staff %s %s seller application %s", request.user.pk, verb, application.pk)
        self.message_user(request, f"{verb.capitalize()} {done} application(s).")

    @admin.action(description="Approve the selected applications (role becomes seller)")
    def approve_applications(self, request, queryset):
        self._decide(
            request,
            queryset,
            "approved",
            lambda application: sellers.seller_application_approve(
                application_id=application.pk, reviewer=request.user
            ),
        )

    @admin.action(description="Reject the selected applications (uses the rejection reason field if filled)")
    def reject_applications(self, request, queryset):
        self._decide(
            request,
            queryset,
            "rejected",
            lambda application: sellers.seller_application_reject(
                application_id=application.pk,
                reviewer=request.user,
                reason=application.rejection_reason or DEFAULT_REJECTION_REASON,
            ),
        )


@admin.register(SellerApplicationImage)
class SellerApplicationImageAdmin(ReadOnlyAdmin):
    list_display = ("id", "application", "order", "image")
    list_select_related = ("application",)
    search_fields = ("application__business_name", "application__user__email")


@admin.register(VerificationCode)
class VerificationCodeAdmin(ReadOnlyAdmin):
    """Support view: whether codes were sent and used. Only hashes are stored, never shown."""

    list_display = ("user", "purpose", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose", ("used_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email",)
    exclude = ("code_hash",)


@admin.register(EmailVerificationToken)
class EmailVerificationTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "expires_at", "used_at")
    list_filter = (("used_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    exclude = ("token_hash",)


@admin.register(TokenFamily)
class TokenFamilyAdmin(ReadOnlyAdmin):
    """Support view of logins: when each was signed out (logout) or revoked (refresh token reuse)."""

    list_display = ("id", "user", "created_at", "revoked_at", "revoke_reason")
    list_filter = ("revoke_reason", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email",)


@admin.register(IssuedRefreshToken)
class IssuedRefreshTokenAdmin(ReadOnlyAdmin):
    list_display = ("jti", "family", "issued_at", "expires_at", "rotated_at")
    list_select_related = ("family",)
    search_fields = ("family__user__email", "jti")


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ("user", "requested_at", "completed_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    exclude = ("archive_name",)
