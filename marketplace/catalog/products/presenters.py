"""Plain-dict renderings of products: cheap enough for hot lists (no per-row queries).

Lists read rows from ``selectors.product_list_*``, the detail ``selectors.product_page_get``;
images come from ``Product.gallery`` (rows of file names, primary first). The matching OpenAPI
shapes are the serializers in ``serializers.py`` (``ProductListItemSerializer``,
``ProductDetailSerializer``).
"""

from designiaBackend.api.fields import public_id
from infrastructure.storage import public_url
from marketplace.catalog.images.presenters import product_image
from marketplace.catalog.models import discount_percentage, is_on_sale
from marketplace.catalog.products.attributes import material_values


def _money(value):
    return None if value is None else f"{value:.2f}"


def _centimetres(value):
    return None if value is None else f"{value:.1f}"


def _rating(value):
    return f"{value:.2f}"


def product_list_item(product):
    primary = product.gallery[0] if product.gallery else None
    image = primary["image"] if primary else None
    thumbnail = (primary["thumbnail"] or image) if primary else None
    return {
        "id": public_id(product.id),
        "name": product.name,
        "slug": product.slug,
        "price": _money(product.price),
        "original_price": _money(product.original_price),
        "currency": product.currency,
        "is_on_sale": is_on_sale(product.price, product.original_price),
        "discount_percentage": discount_percentage(product.price, product.original_price),
        "primary_image": public_url(image),
        "primary_image_thumbnail": public_url(thumbnail),
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
        "has_variants": product.has_variants,
        "price_from": _money(product.price),  # the cheapest active variant's, with variants
    }


def product_variant(variant, gallery):
    """A variant row (``selectors.VARIANT_PAGE_FIELDS``) with its own photos from the gallery."""
    return {
        "id": public_id(variant["id"]),
        "sku": variant["sku"],
        "options": variant["options"],
        "price": _money(variant["price"]),
        "original_price": _money(variant["original_price"]),
        "stock_quantity": variant["stock_quantity"],
        "is_in_stock": variant["stock_quantity"] > 0,
        "weight": _money(variant["weight"]),
        "width_cm": _centimetres(variant["width_cm"]),
        "depth_cm": _centimetres(variant["depth_cm"]),
        "height_cm": _centimetres(variant["height_cm"]),
        "images": [product_image(image) for image in gallery if image.get("variant_id") == variant["id"]],
    }


def seller_product_item(product):
    """E47 row: the list item plus ``is_active`` and ``images[].{image, is_primary}``."""
    return {
        **product_list_item(product),
        "is_active": product.is_active,
        "view_count": product.view_count,
        "images": [product_image(image) for image in product.gallery],
    }


def product_detail(page):
    """E26 body of a ``selectors.ProductPage``; ``is_favorited`` is filled in per caller."""
    product = page.product
    return {
        **product_list_item(product),
        "description": product.description,
        "short_description": product.short_description,
        "rating_distribution": {
            str(star): product.rating_distribution.get(str(star), 0) for star in range(1, 6)
        },
        "materials": product.materials,
        "dimensions": product.dimensions,
        "weight": _money(product.weight),
        "shipping_profile_id": public_id(product.shipping_profile_id),
        "colors": product.colors,
        "tags": list(product.tags),
        "material_list": material_values(product.materials),
        "style": product.style,
        "width_cm": _centimetres(product.width_cm),
        "depth_cm": _centimetres(product.depth_cm),
        "height_cm": _centimetres(product.height_cm),
        "made_to_order": product.made_to_order,
        "is_active": product.is_active,
        "view_count": product.view_count,
        "click_count": product.click_count,
        "is_favorited": False,
        "images": [product_image(image) for image in product.gallery],
        "seller": {
            "id": str(product.seller_id),
            "username": page.seller_username,
            "shop_name": page.seller_shop_name,
            "seller_rating": page.seller_rating,
        },
        "category": page.category,
        **page.ar_model,
        "updated_at": product.updated_at.isoformat(),
        "options": page.options,
        "variants": [product_variant(variant, product.gallery) for variant in page.variants],
    }
