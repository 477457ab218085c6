"""Browse and search reads: the filtered product list (E22/E23), facets (cached), autocomplete."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils.text import slugify

from designiaBackend.api.fields import public_id
from designiaBackend.db import KnownCount
from marketplace.catalog.categories.selectors import category_ids_for_slugs, category_tree
from marketplace.catalog.constants import (
    DEFAULT_ORDERING,
    FACETS_CACHE_KEY,
    FACETS_TTL_SECONDS,
    ORDERINGS,
    SIZE_BOUNDS,
)
from marketplace.catalog.http.response_cache import cached_value
from marketplace.catalog.models import Product, ProductAttribute
from marketplace.catalog.products.attributes import attribute_value
from marketplace.catalog.products.selectors import LIST_FIELDS, product_queryset_public
from marketplace.catalog.search.backends import search_backend

MAX_BRANDS = 50
MAX_FACET_VALUES = 50
NOT_FILTERS = ("ordering", "page", "page_size")


def product_list(*, filters):
    """E22/E23: public products filtered and ordered by ``filters`` (validated query values)."""
    queryset = product_queryset_public()
    query = (filters.get("q") or "").strip()
    ordering = filters.get("ordering") or DEFAULT_ORDERING
    use_relevance = bool(query) and ordering == "relevance"
    if query:
        queryset = search_backend().search(queryset, query, with_relevance=use_relevance)
    queryset = _apply_filters(queryset, filters)
    order_by = ("-relevance", *ORDERINGS[ordering]) if use_relevance else ORDERINGS[ordering]
    return queryset.only(*LIST_FIELDS).order_by(*order_by)


def product_list_counted(*, filters):
    """``product_list`` for a paginator: its count is cached per filter set (whatever the page,
    page size or sort) under the catalogue version, so every page of a session after the first
    runs only the page's query (``CATALOG_COUNT_CACHE_SECONDS``; 0: counted every time)."""
    products = product_list(filters=filters)
    wanted = sorted(
        (key, sorted(map(str, value)) if isinstance(value, list) else str(value))
        for key, value in filters.items()
        if key not in NOT_FILTERS and value not in (None, "", [])
    )
    key = f"catalog:count:{hashlib.sha256(repr(wanted).encode()).hexdigest()[:32]}"
    return KnownCount(
        products,
        lambda: cached_value(key, products.count, seconds=settings.CATALOG_COUNT_CACHE_SECONDS),
    )


def search_did_you_mean(*, query):
    """A corrected query to propose when ``query`` found nothing (or None)."""
    return search_backend().did_you_mean(query) if (query or "").strip() else None


def _products_filtered(filters, *, without=()):
    """The public products matching ``filters`` (text included), unordered; ``without`` names
    filters to leave out (a facet counts its values under every other filter)."""
    filters = {key: value for key, value in filters.items() if key not in without}
    queryset = product_queryset_public()
    query = (filters.get("q") or "").strip()
    if query:
        queryset = search_backend().search(queryset, query, with_relevance=False)
    return _apply_filters(queryset, filters).order_by()


def _with_attribute(queryset, kind, values):
    wanted = {attribute_value(value) for value in values} - {""}
    rows = ProductAttribute.objects.filter(kind=kind, value__in=wanted).values("product_id")
    return queryset.filter(id__in=rows)


def _apply_attribute_filters(queryset, filters):
    if filters.get("material"):
        queryset = _with_attribute(queryset, ProductAttribute.Kind.MATERIAL, filters["material"])
    if filters.get("color"):
        queryset = _with_attribute(queryset, ProductAttribute.Kind.COLOR, filters["color"])
    if filters.get("style"):
        queryset = queryset.filter(style__in={attribute_value(value) for value in filters["style"]})
    for low, high, field in SIZE_BOUNDS:
        if filters.get(low) is not None:
            queryset = queryset.filter(**{f"{field}__gte": filters[low]})
        if filters.get(high) is not None:
            queryset = queryset.filter(**{f"{field}__lte": filters[high]})
    if filters.get("made_to_order") is not None:
        queryset = queryset.filter(made_to_order=filters["made_to_order"])
    return queryset


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
    return _apply_attribute_filters(queryset, filters)


def _attribute_counts(products, kind):
    rows = (
        ProductAttribute.objects.filter(kind=kind, product__in=products.values("id"))
        .values("value")
        .annotate(count=Count("id"))
        .order_by("-count", "value")[:MAX_FACET_VALUES]
    )
    return [{"value": row["value"], "count": row["count"]} for row in rows]


def _range(products, field, places=1):
    bounds = products.aggregate(min=Min(field), max=Max(field))
    return {key: None if value is None else f"{value:.{places}f}" for key, value in bounds.items()}


def _attribute_facets(filters):
    """Materials, colours and styles (each counted under the other filters), sizes, made-to-order."""
    styles = (
        _products_filtered(filters, without=("style",))
        .exclude(style="")
        .values("style")
        .annotate(count=Count("id"))
        .order_by("-count", "style")[:MAX_FACET_VALUES]
    )
    products = _products_filtered(filters)
    made_to_order = dict(products.values_list("made_to_order").annotate(count=Count("id")))
    return {
        "materials": _attribute_counts(
            _products_filtered(filters, without=("material",)), ProductAttribute.Kind.MATERIAL
        ),
        "colors": _attribute_counts(
            _products_filtered(filters, without=("color",)), ProductAttribute.Kind.COLOR
        ),
        "styles": [{"value": row["style"], "count": row["count"]} for row in styles],
        "width_range": _range(products, "width_cm"),
        "depth_range": _range(products, "depth_cm"),
        "height_range": _range(products, "height_cm"),
        "weight_range": _range(products, "weight", places=2),
        "made_to_order": [{"value": value, "count": made_to_order.get(value, 0)} for value in (True, False)],
    }


def _category_counts(filters):
    """``{category_id: n}``: the products matching ``filters`` but the category filter, per own category."""
    rows = (
        _products_filtered(filters, without=("category",)).values_list("category_id").annotate(n=Count("id"))
    )
    return dict(rows.values_list("category_id", "n"))


def _build_facets(filters=None):
    filters = filters or {}
    public = _products_filtered(filters)
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
        **_attribute_facets(filters),
        "category_counts": _category_counts(filters),
    }


def catalog_facets(*, filters=None):
    """Categories, each with ``product_count`` (of the whole catalogue, as E25) and ``count``
    (the products matching ``filters`` but the category filter, in it and its descendants: what
    adding ``category=<slug>`` would list), and the price range, brands, conditions, materials,
    colours, styles, size ranges and made-to-order counts of the products matching ``filters``
    (validated E22/E23 filters, ``q`` included; none: the public catalogue)."""
    filters = {key: value for key, value in (filters or {}).items() if key not in NOT_FILTERS}
    if filters:
        facets = _build_facets(filters)
    else:
        facets = cache.get(FACETS_CACHE_KEY)
        if facets is None:
            facets = _build_facets()
            cache.set(FACETS_CACHE_KEY, facets, FACETS_TTL_SECONDS)
    facets = dict(facets)
    counts = facets.pop("category_counts")
    categories = [
        {
            **{key: category[key] for key in ("id", "name", "slug", "parent", "product_count")},
            "count": sum(counts.get(pk, 0) for pk in category["descendant_ids"]),
        }
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
