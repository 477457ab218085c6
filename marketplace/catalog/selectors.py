"""Catalogue reads. Every list costs a fixed number of queries whatever the page size."""

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Prefetch, Subquery, Sum
from django.http import Http404

from marketplace.catalog.categories import category_ids_for_slugs
from marketplace.catalog.constants import DEFAULT_ORDERING, ORDERINGS
from marketplace.catalog.models import Product, ProductImage
from marketplace.catalog.search import apply_text_search

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
)


def with_primary_image(queryset):
    primary = ProductImage.objects.filter(product=OuterRef("pk")).order_by("-is_primary", "order", "id")
    return queryset.annotate(
        primary_image_name=Subquery(primary.values("image")[:1]),
        primary_thumbnail_name=Subquery(primary.values("thumbnail")[:1]),
    )


def product_queryset_public():
    """Products anyone may see: active and not deleted."""
    return Product.objects.filter(is_active=True, deleted_at__isnull=True)


def product_list(*, filters):
    """E22/E23: public products filtered and ordered by ``filters`` (validated query values)."""
    queryset = product_queryset_public()
    query = (filters.get("q") or "").strip()
    ordering = filters.get("ordering") or DEFAULT_ORDERING
    use_relevance = bool(query) and ordering == "relevance"
    if query:
        queryset = apply_text_search(queryset, query, with_relevance=use_relevance)
    queryset = _apply_filters(queryset, filters)
    order_by = ("-relevance", *ORDERINGS[ordering]) if use_relevance else ORDERINGS[ordering]
    return with_primary_image(queryset.only(*LIST_FIELDS)).order_by(*order_by)


def _apply_filters(queryset, filters):
    if filters.get("category"):
        queryset = queryset.filter(category_id__in=category_ids_for_slugs(filters["category"]))
    if filters.get("price_min") is not None:
        queryset = queryset.filter(price__gte=filters["price_min"])
    if filters.get("price_max") is not None:
        queryset = queryset.filter(price__lte=filters["price_max"])
    if filters.get("condition"):
        queryset = queryset.filter(condition__in=filters["condition"])
    if filters.get("min_rating") is not None:
        queryset = queryset.filter(average_rating__gte=filters["min_rating"])
    if filters.get("in_stock"):
        queryset = queryset.filter(stock_quantity__gt=0)
    if filters.get("seller"):
        queryset = queryset.filter(seller_id=filters["seller"])
    if filters.get("is_featured") is not None:
        queryset = queryset.filter(is_featured=filters["is_featured"])
    if filters.get("brand"):
        queryset = queryset.filter(brand__iexact=filters["brand"])
    return queryset


def product_list_for_seller(*, seller):
    """E47: the seller's own products (active or not), newest first, images prefetched."""
    return (
        Product.objects.filter(seller=seller, deleted_at__isnull=True)
        .only(*LIST_FIELDS)
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.only(*IMAGE_FIELDS)))
        .order_by("-created_at", "-id")
    )


IMAGE_FIELDS = ("id", "product_id", "image", "thumbnail", "alt_text", "is_primary", "order")


def product_get_public(*, slug, user=None):
    """E26: a product by slug with seller, category and images; 404 for unknown or deleted slugs.

    An inactive product is visible to its seller and staff only.
    """
    queryset = (
        Product.objects.filter(slug=slug, deleted_at__isnull=True)
        .defer("search_document")
        .select_related("seller__profile", "category")
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.only(*IMAGE_FIELDS)))
    )
    if user is not None and user.is_authenticated:
        from marketplace.favorites.models import Favorite

        queryset = queryset.annotate(
            is_favorited=Exists(Favorite.objects.filter(product=OuterRef("pk"), user=user))
        )
    product = queryset.first()
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


SELLER_RATING_TTL_SECONDS = 300


def seller_rating_cache_key(seller_id):
    return f"catalog:seller-rating:{seller_id}"


def seller_rating(*, seller_id):
    """The seller's rating: the review-weighted average over their products (2 decimals).

    Cached; the review services drop the cached value when a rating changes.
    """
    key = seller_rating_cache_key(seller_id)
    rating = cache.get(key)
    if rating is None:
        totals = Product.objects.filter(
            seller_id=seller_id, deleted_at__isnull=True, review_count__gt=0
        ).aggregate(weighted=Sum(F("average_rating") * F("review_count")), reviews=Sum("review_count"))
        rating = f"{totals['weighted'] / totals['reviews']:.2f}" if totals["reviews"] else "0.00"
        cache.set(key, rating, SELLER_RATING_TTL_SECONDS)
    return rating
