"""Browse and search reads: the filtered product list (E22/E23), facets (cached), autocomplete."""

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils.text import slugify

from designiaBackend.api.fields import public_id
from marketplace.catalog.categories.selectors import category_ids_for_slugs, category_tree
from marketplace.catalog.constants import DEFAULT_ORDERING, FACETS_CACHE_KEY, FACETS_TTL_SECONDS, ORDERINGS
from marketplace.catalog.models import Product
from marketplace.catalog.products.selectors import LIST_FIELDS, product_queryset_public
from marketplace.catalog.search.text import apply_text_search

MAX_BRANDS = 50


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
    return queryset.only(*LIST_FIELDS).order_by(*order_by)


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


def _build_facets():
    public = product_queryset_public()
    prices = public.aggregate(min=Min("price"), max=Max("price"))
    brands = (
        public.exclude(brand="")
        .values("brand")
        .annotate(count=Count("id"))
        .order_by("-count", "brand")[:MAX_BRANDS]
    )
    conditions = dict(
        public.values_list("condition").annotate(count=Count("id")).values_list("condition", "count")
    )
    return {
        "price_range": {
            "min": None if prices["min"] is None else f"{prices['min']:.2f}",
            "max": None if prices["max"] is None else f"{prices['max']:.2f}",
        },
        "brands": [{"name": row["brand"], "count": row["count"]} for row in brands],
        "conditions": [
            {"value": value, "label": label, "count": conditions.get(value, 0)}
            for value, label in Product.Condition.choices
        ],
    }


def catalog_facets():
    """Categories with counts, price range, brands and conditions of the public catalogue."""
    facets = cache.get(FACETS_CACHE_KEY)
    if facets is None:
        facets = _build_facets()
        cache.set(FACETS_CACHE_KEY, facets, FACETS_TTL_SECONDS)
    categories = [
        {key: category[key] for key in ("id", "name", "slug", "parent", "product_count")}
        for category in category_tree()
    ]
    return {"categories": categories, **facets}


def autocomplete_suggestions(*, query, limit):
    """E24: products, then categories and brands whose names match ``query`` (C13 shape)."""
    query = query.strip()
    if not query:
        return []
    suggestions = []
    lowered = query.lower()
    for category in category_tree():
        if lowered in category["name"].lower():
            suggestions.append(
                {"id": category["id"], "name": category["name"], "type": "category", "slug": category["slug"]}
            )
    products = product_queryset_public().filter(Q(name__icontains=query) | Q(brand__icontains=query))
    rows = list(products.order_by("-review_count", "-id").values("id", "name", "slug", "brand")[:limit])
    product_suggestions = [
        {"id": public_id(row["id"]), "name": row["name"], "type": "product", "slug": row["slug"]}
        for row in rows
    ]
    brands = sorted({row["brand"] for row in rows if row["brand"] and lowered in row["brand"].lower()})
    brand_suggestions = [{"id": slugify(b), "name": b, "type": "brand", "slug": slugify(b)} for b in brands]
    return (product_suggestions + suggestions + brand_suggestions)[:limit]
