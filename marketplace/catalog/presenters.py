"""Plain-dict renderings of products: cheap enough for hot lists (no per-row queries).

Lists read rows from ``selectors.product_list_*`` (annotated with the primary image's file
names); the detail reads ``selectors.product_get_public``. The matching OpenAPI shapes are the
serializers in ``serializers.py`` (``ProductListItemSerializer``, ``ProductDetailSerializer``).
"""

from infrastructure.storage import public_url


def _money(value):
    return None if value is None else f"{value:.2f}"


def _rating(value):
    return f"{value:.2f}"


def product_list_item(product):
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "price": _money(product.price),
        "original_price": _money(product.original_price),
        "currency": product.currency,
        "is_on_sale": product.is_on_sale,
        "discount_percentage": product.discount_percentage,
        "primary_image": public_url(product.primary_image_name),
        "primary_image_thumbnail": public_url(product.primary_thumbnail_name or product.primary_image_name),
        "average_rating": _rating(product.average_rating),
        "review_count": product.review_count,
        "is_in_stock": product.stock_quantity > 0,
        "stock_quantity": product.stock_quantity,
        "condition": product.condition,
        "brand": product.brand,
        "category_id": product.category_id,
        "seller_id": str(product.seller_id),
        "is_featured": product.is_featured,
        "favorite_count": product.favorite_count,
        "created_at": product.created_at.isoformat(),
    }


def product_image(image):
    url = public_url(image.image)
    return {
        "id": image.id,
        "url": url,
        "image": url,
        "thumbnail": public_url(image.thumbnail) or url,
        "alt_text": image.alt_text,
        "is_primary": image.is_primary,
        "order": image.order,
    }


def seller_product_item(product):
    """E47 row: the list item plus ``is_active`` and ``images[].{image, is_primary}``."""
    images = _ordered_images(product)
    item = product_list_item_with(product, images)
    item.update(
        is_active=product.is_active,
        view_count=product.view_count,
        images=[product_image(image) for image in images],
    )
    return item


def _ordered_images(product):
    return sorted(product.images.all(), key=lambda image: (not image.is_primary, image.order, image.id))


def product_detail(product, *, ar_state, seller_rating):
    images = _ordered_images(product)
    category = product.category
    profile = getattr(product.seller, "profile", None)
    return {
        **product_list_item_with(product, images),
        "description": product.description,
        "short_description": product.short_description,
        "rating_distribution": {
            str(star): product.rating_distribution.get(str(star), 0) for star in range(1, 6)
        },
        "materials": product.materials,
        "dimensions": product.dimensions,
        "weight": _money(product.weight),
        "colors": product.colors,
        "tags": list(product.tags),
        "is_active": product.is_active,
        "view_count": product.view_count,
        "click_count": product.click_count,
        "is_favorited": bool(getattr(product, "is_favorited", False)),
        "images": [product_image(image) for image in images],
        "seller": {
            "id": str(product.seller_id),
            "username": product.seller.username,
            "shop_name": profile.shop_name if profile else "",
            "seller_rating": seller_rating,
        },
        "category": category and {"id": category.id, "name": category.name, "slug": category.slug},
        "has_ar_model": bool(ar_state.get("has_ar_model")),
        "ar_model_filename": ar_state.get("ar_model_filename"),
        "ar_model_url": ar_state.get("ar_model_url"),
        "updated_at": product.updated_at.isoformat(),
    }


def product_list_item_with(product, images):
    """The list item of a product whose images are loaded (no annotation needed)."""
    primary = images[0] if images else None
    product.primary_image_name = primary.image.name if primary else None
    product.primary_thumbnail_name = primary.thumbnail.name if primary and primary.thumbnail else None
    return product_list_item(product)
