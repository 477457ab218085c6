"""Catalogue reads. Every list costs a fixed number of queries whatever the page size."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import F
from django.http import Http404

from designiaBackend.db import PreparedQuery
from marketplace.catalog.models import Product, ProductVariant, SellerRating
from marketplace.catalog.products.ar_hooks import ar_model_handler
from marketplace.catalog.products.seller_ratings import seller_rating_text
from marketplace.catalog.products.variants import VARIANT_FIELDS

LIST_FIELDS = (
    "id",
    "name",
    "slug",
    "price",
    "original_price",
    "currency",
    "average_rating",
    "review_count",
    "stock_quantity",
    "condition",
    "brand",
    "category_id",
    "seller_id",
    "is_featured",
    "is_active",
    "favorite_count",
    "view_count",
    "created_at",
    "has_variants",
    "gallery",  # the images, primary first (Product.gallery)
)


def product_queryset_public():
    """Products anyone may see: active and not deleted."""
    return Product.objects.filter(is_active=True, deleted_at__isnull=True)


def product_find(*, product_id: int) -> Product | None:
    """The product with this id, with its seller, whatever its state (deleted, hidden); or None."""
    return Product.objects.select_related("seller").filter(pk=product_id).first()


def product_list_for_seller(*, seller):
    """E47: the seller's own products (active or not), newest first."""
    return (
        Product.objects.filter(seller=seller, deleted_at__isnull=True)
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")
    )


# What describes a product beyond its list card (a seller edits them; the detail page shows them).
DESCRIPTIVE_FIELDS = (
    "materials",
    "dimensions",
    "weight",
    "shipping_profile_id",
    "colors",
    "tags",
    "style",
    "width_cm",
    "depth_cm",
    "height_cm",
    "made_to_order",
)
DETAIL_FIELDS = (
    *LIST_FIELDS,
    "description",
    "short_description",
    *DESCRIPTIVE_FIELDS,
    "click_count",
    "rating_distribution",
    "updated_at",
)


@dataclass(frozen=True)
class ProductPage:
    """What the product page (E26) shows: the product's fields and images, seller, category, AR model."""

    product: SimpleNamespace  # DETAIL_FIELDS as attributes (cheaper than a model instance)
    seller_username: str
    seller_shop_name: str
    seller_rating: str  # "4.25"
    category: dict | None  # {id, name, slug}
    ar_model: dict  # {has_ar_model, ar_model_filename, ar_model_url}
    options: list = field(default_factory=list)  # [{name, values}]: none while no variant is active
    variants: list = field(default_factory=list)  # its active variants (VARIANT_PAGE_FIELDS)


VARIANT_PAGE_FIELDS = ("id", "sku", "options", *VARIANT_FIELDS)


def product_variants_for_page(*, product_id):
    """``(options, variants)`` of a product with variants, in one query: its active variants
    (``VARIANT_PAGE_FIELDS``, in the seller's order), each row joined with each of the product's
    options (a few rows per variant), which come out in their order."""
    rows = (
        ProductVariant.objects.filter(product_id=product_id, is_active=True)
        .order_by("position", "id", "product__options__position", "product__options__id")
        .values(
            *VARIANT_PAGE_FIELDS,
            option_id=F("product__options__id"),
            option_name=F("product__options__name"),
            option_values=F("product__options__values"),
        )
    )
    options, variants = {}, {}
    for row in rows:
        option_id, name, values = row.pop("option_id"), row.pop("option_name"), row.pop("option_values")
        if option_id is not None:
            options.setdefault(option_id, {"name": name, "values": values})
        variants.setdefault(row["id"], row)
    return list(options.values()), list(variants.values())


def _product_page_query(slug):
    products = (
        Product.objects.filter(slug=slug, deleted_at__isnull=True)
        .order_by()
        .values(
            *DETAIL_FIELDS,
            seller_username=F("seller__username"),
            seller_shop_name=F("seller__profile__shop_name"),
            category_name=F("category__name"),
            category_slug=F("category__slug"),
            seller_rating_points=F("seller__seller_rating__rating_points"),
            seller_review_count=F("seller__seller_rating__review_count"),
        )
    )
    return ar_model_handler().with_model_names(products)


# The product page is the hottest read: one query, compiled once (designiaBackend.db).
_PRODUCT_PAGE = PreparedQuery(_product_page_query, slug="\x00slug")


def product_page_get(*, slug, user=None):
    """E26: the product page by slug in one query; 404 for unknown or deleted slugs.

    An inactive product is visible to its seller and staff only.
    """
    row = _PRODUCT_PAGE.first(slug=slug)
    if row is None:
        raise Http404("No product matches the given slug.")
    product = SimpleNamespace(**{field: row[field] for field in DETAIL_FIELDS})
    if not (product.is_active or _can_manage(user, product)):
        raise Http404("No product matches the given slug.")
    category = None
    if row["category_name"] is not None:
        category = {"id": product.category_id, "name": row["category_name"], "slug": row["category_slug"]}
    ar_model = ar_model_handler().describe(
        filename=row["ar_model_filename"], storage_name=row["ar_model_storage_name"]
    )
    # A product with variants costs one more query, whatever their number (photos: the gallery).
    options, variants = product_variants_for_page(product_id=product.id) if product.has_variants else ([], [])
    return ProductPage(
        product=product,
        seller_username=row["seller_username"],
        seller_shop_name=row["seller_shop_name"] or "",
        seller_rating=seller_rating_text(row["seller_rating_points"], row["seller_review_count"]),
        category=category,
        ar_model=ar_model,
        options=options,
        variants=variants,
    )


def product_get_public(*, slug, user=None):
    """A product by slug with its seller (for reviews and favorites); 404 when unknown or deleted.

    An inactive product is visible to its seller and staff only.
    """
    product = (
        Product.objects.filter(slug=slug, deleted_at__isnull=True)
        .defer("search_document")
        .select_related("seller")
        .first()
    )
    if product is None or not (product.is_active or _can_manage(user, product)):
        raise Http404("No product matches the given slug.")
    return product


def _can_manage(user, product):
    return bool(user and user.is_authenticated and (user.is_staff or product.seller_id == user.pk))


def product_get_for_update(*, slug):
    """A non-deleted product by slug, for a write; 404 when unknown or deleted."""
    product = Product.objects.filter(slug=slug, deleted_at__isnull=True).select_related("seller").first()
    if product is None:
        raise Http404("No product matches the given slug.")
    return product


def seller_rating(*, seller_id):
    """The seller's rating as "4.25" (the product page reads it in its own query)."""
    totals = SellerRating.objects.filter(seller_id=seller_id).values_list("rating_points", "review_count")
    points, count = totals.first() or (0, 0)
    return seller_rating_text(points, count)
