"""Reads of the authentication app, with their joins applied."""

from authentication.models import SellerApplication, User


def user_get_with_profile(*, user_id):
    return User.objects.select_related("profile").get(pk=user_id)


def seller_application_latest(*, user):
    return SellerApplication.objects.filter(user=user).order_by("-submitted_at", "-id").first()


def seller_application_list(*, status=None):
    queryset = SellerApplication.objects.select_related("user", "reviewed_by").prefetch_related("images")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-submitted_at", "-id")
