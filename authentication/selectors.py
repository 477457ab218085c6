"""Reads of the authentication app, with their joins applied."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import get_supported_language_variant

from authentication.models import Profile, SellerApplication, User

if TYPE_CHECKING:
    from uuid import UUID


def user_get_with_profile(*, user_id: "UUID | str") -> User:
    return User.objects.select_related("profile").get(pk=user_id)


def user_language(*, user_id) -> str:
    """The user's language among ``settings.LANGUAGES`` (``pt-BR`` -> ``pt``), else the default."""
    return language_supported(User.objects.filter(pk=user_id).values_list("language", flat=True).first())


def language_supported(code) -> str:
    """``code`` (a user's stored language, a loaded user's ``language``) among ``settings.LANGUAGES``,
    else the default: batches that loaded their users read no row more."""
    try:
        return get_supported_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return get_supported_language_variant(settings.LANGUAGE_CODE)


def seller_application_latest(*, user):
    return SellerApplication.objects.filter(user=user).order_by("-submitted_at", "-id").first()


def seller_application_list(*, status=None):
    queryset = SellerApplication.objects.select_related("user", "reviewed_by").prefetch_related("images")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-submitted_at", "-id")


def profile_preferred_currency(*, user) -> str:
    """The currency the user chose to see prices in ("" when none): one query, none if loaded."""
    cached = user._state.fields_cache  # the JWT authentication joins the profile
    if "profile" in cached:
        return cached["profile"].preferred_currency if cached["profile"] is not None else ""
    value = Profile.objects.filter(user_id=user.pk).values_list("preferred_currency", flat=True).first()
    return value or ""


def profile_countries(*, user_ids) -> dict:
    """``{user_id: country}`` of the users' profiles (one query; "" when unset)."""
    rows = Profile.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "country")
    return {user_id: country or "" for user_id, country in rows}


def shop_names(*, user_ids) -> dict:
    """``{user_id: shop name}`` (the profile's ``shop_name``, else the username): one query."""
    rows = User.objects.filter(pk__in=list(user_ids)).values_list("pk", "username", "profile__shop_name")
    return {pk: shop or username for pk, username, shop in rows}
