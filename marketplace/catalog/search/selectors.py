from designiaBackend.api.fields import public_id

"""Read helpers for the search page: facets (cached) and autocomplete suggestions."""

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils.text import slugify

from marketplace.catalog.categories import category_tree
from marketplace.catalog.constants import FACETS_CACHE_KEY, FACETS_TTL_SECONDS
from marketplace.catalog.models import Product
from marketplace.catalog.selectors import product_queryset_public

MAX_BRANDS = 50


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
