"""The catalogue's part of a user's GDPR export and of account deletion."""

from marketplace.catalog.models import Product
from marketplace.catalog.products.services import products_deactivate_for_seller
from marketplace.favorites.models import Favorite
from marketplace.favorites.services import favorites_remove_for_user
from marketplace.reviews.models import Review


def export_products(user):
    return [
        {
            "id": p.id,
            "name": p.name,
            "slug": p.slug,
            "description": p.description,
            "price": str(p.price),
            "currency": p.currency,
            "stock_quantity": p.stock_quantity,
            "is_active": p.is_active,
            "deleted_at": p.deleted_at.isoformat() if p.deleted_at else None,
            "created_at": p.created_at.isoformat(),
        }
        for p in Product.objects.filter(seller=user).order_by("id")
    ]


def export_reviews(user):
    return [
        {
            "id": r.id,
            "product": r.product.slug,
            "rating": r.rating,
            "title": r.title,
            "comment": r.comment,
            "created_at": r.created_at.isoformat(),
        }
        for r in Review.objects.filter(reviewer=user).select_related("product").order_by("id")
    ]


def export_favorites(user):
    return [
        {"product": f.product.slug, "created_at": f.created_at.isoformat()}
        for f in Favorite.objects.filter(user=user).select_related("product").order_by("id")
    ]


def erase_catalog_data(user):
    """A deleted seller's products leave the catalogue (orders keep them); favorites are removed."""
    products_deactivate_for_seller(seller=user)
    favorites_remove_for_user(user=user)
