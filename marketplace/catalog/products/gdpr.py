"""The catalogue's part of a user's GDPR export and of account deletion."""

from marketplace.catalog.models import Product
from marketplace.catalog.products.services import products_deactivate_for_seller
from marketplace.favorites.models import Favorite
from marketplace.favorites.services import favorites_remove_for_user
from marketplace.reviews.models import Review


def _export_variant(variant):
    return {
        "sku": variant.sku,
        "options": variant.options,
        "price": str(variant.price),
        "original_price": None if variant.original_price is None else str(variant.original_price),
        "stock_quantity": variant.stock_quantity,
        "weight": None if variant.weight is None else str(variant.weight),
        "width_cm": None if variant.width_cm is None else str(variant.width_cm),
        "depth_cm": None if variant.depth_cm is None else str(variant.depth_cm),
        "height_cm": None if variant.height_cm is None else str(variant.height_cm),
        "is_active": variant.is_active,
    }


def export_products(user):
    """The seller's products with their options and variants (two more queries, whatever the count)."""
    products = Product.objects.filter(seller=user).order_by("id").prefetch_related("options", "variants")
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
            "has_variants": p.has_variants,
            "options": [{"name": option.name, "values": option.values} for option in p.options.all()],
            "variants": [_export_variant(variant) for variant in p.variants.all()],
        }
        for p in products
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
