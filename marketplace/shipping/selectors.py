"""Reads of shipping profiles."""

from django.db.models import QuerySet

from marketplace.shipping.exceptions import ShippingProfileNotFound
from marketplace.shipping.models import ShippingProfile


def shipping_profile_list_for_seller(*, seller) -> QuerySet[ShippingProfile]:
    return ShippingProfile.objects.filter(seller=seller).prefetch_related("zones").order_by("pk")


def shipping_profile_get_for_seller(*, profile_id: int, seller) -> ShippingProfile:
    """The seller's own profile; 404 for anyone else's (nothing tells it exists)."""
    profile = shipping_profile_list_for_seller(seller=seller).filter(pk=profile_id).first()
    if profile is None:
        raise ShippingProfileNotFound()
    return profile
