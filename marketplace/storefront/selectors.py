"""The public storefront of a seller: only what the seller's profile allows to be public."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.http import Http404

from infrastructure.storage import public_url
from marketplace.catalog.products.selectors import (
    LIST_FIELDS,
    product_queryset_public,
    seller_rating,
)


def storefront_get(*, seller_id):
    """Shop name, logo, bio and location (when public), rating and counts; 404 for non-sellers."""
    seller = (
        get_user_model()
        .objects.filter(pk=seller_id, is_active=True, deleted_at__isnull=True, role__in=("seller", "admin"))
        .select_related("profile")
        .first()
    )
    if seller is None:
        raise Http404("No seller matches the given id.")
    stats = (
        product_queryset_public()
        .filter(seller=seller)
        .aggregate(
            product_count=Count("id"),
            review_count=Sum("review_count"),
            in_stock_count=Count("id", filter=Q(stock_quantity__gt=0)),
        )
    )
    profile = getattr(seller, "profile", None)
    public = bool(profile and profile.is_public)
    return {
        "id": str(seller.pk),
        "username": seller.username,
        "shop_name": (profile.shop_name if profile else "") or seller.username,
        "shop_logo": public_url(profile.shop_logo) if profile else None,
        "avatar": public_url(profile.avatar) if profile else None,
        "bio": profile.bio if public else "",
        "location": profile.location if public else "",
        "website": profile.website if public else "",
        "seller_rating": seller_rating(seller_id=seller.pk),
        "review_count": stats["review_count"] or 0,
        "product_count": stats["product_count"],
        "in_stock_count": stats["in_stock_count"],
        "member_since": seller.date_joined.isoformat(),
    }


def storefront_products(*, seller_id):
    return (
        product_queryset_public()
        .filter(seller_id=seller_id)
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")
    )
