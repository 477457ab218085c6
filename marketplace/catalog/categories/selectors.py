"""The category tree with product counts, cached; slug lookups for the catalogue filters.

``product_count`` is the number of active, in-stock products in a category and all of its
active descendants. The tree is rebuilt at most every few minutes and dropped at once by the
catalogue services after a product or category changes (``category_tree_invalidate``).
"""

from django.core.cache import cache
from django.db.models import Count

from marketplace.catalog.constants import CATEGORY_TREE_CACHE_KEY, CATEGORY_TREE_TTL_SECONDS, FACETS_CACHE_KEY
from marketplace.catalog.http.response_cache import catalog_version_bump
from marketplace.catalog.models import Category, Product


def _build_tree():
    categories = list(
        Category.objects.filter(is_active=True).values(
            "id", "name", "slug", "description", "parent_id", "ordering"
        )
    )
    own_counts = dict(
        Product.objects.filter(is_active=True, deleted_at__isnull=True, stock_quantity__gt=0)
        .values_list("category_id")
        .annotate(count=Count("id"))
        .values_list("category_id", "count")
    )
    by_id = {category["id"]: category for category in categories}
    children = {}
    for category in categories:
        if category["parent_id"] in by_id:
            children.setdefault(category["parent_id"], []).append(category["id"])

    def descendants(category_id, seen=()):
        result = [category_id]
        for child in children.get(category_id, ()):
            if child not in seen:
                result.extend(descendants(child, (*seen, category_id)))
        return result

    tree = []
    for category in categories:
        ids = descendants(category["id"])
        tree.append(
            {
                "id": category["id"],
                "name": category["name"],
                "slug": category["slug"],
                "description": category["description"],
                "parent": category["parent_id"] if category["parent_id"] in by_id else None,
                "ordering": category["ordering"],
                "product_count": sum(own_counts.get(i, 0) for i in ids),
                "descendant_ids": ids,
            }
        )
    return tree


def category_tree():
    """Active categories in display order, each with ``product_count`` and ``descendant_ids``."""
    tree = cache.get(CATEGORY_TREE_CACHE_KEY)
    if tree is None:
        tree = _build_tree()
        cache.set(CATEGORY_TREE_CACHE_KEY, tree, CATEGORY_TREE_TTL_SECONDS)
    return tree


def category_ids_for_slugs(slugs):
    """Ids of the categories named by ``slugs`` and of all their descendants (unknown slugs: none)."""
    wanted = set(slugs)
    ids = set()
    for category in category_tree():
        if category["slug"] in wanted:
            ids.update(category["descendant_ids"])
    return ids


def category_tree_invalidate():
    """Drop every cached catalogue read (tree, facets, cached responses)."""
    cache.delete_many([CATEGORY_TREE_CACHE_KEY, FACETS_CACHE_KEY])
    catalog_version_bump()
