"""Fixed values of the catalogue API."""

# Sub-paths of /api/marketplace/products/ that take precedence over {slug} (contract §4.3):
# a product slug may never be one of them.
RESERVED_SLUGS = frozenset(
    {
        "search",
        "autocomplete",
        "categories",
        "my_products",
        "my-products",
        "filters",
        "favorites",
        "metrics",
        "images",
        "new",
    }
)

# ordering value -> ORDER BY fields (contract C3); ``relevance`` needs ``q`` and falls back to
# newest first without it. ``id`` breaks ties so pages never overlap.
ORDERINGS = {
    "relevance": ("-created_at", "-id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "-average_rating": ("-average_rating", "-review_count", "-id"),
    "-view_count": ("-view_count", "-id"),
}
DEFAULT_ORDERING = "-created_at"

CATEGORY_TREE_CACHE_KEY = "catalog:category-tree:v1"
CATEGORY_TREE_TTL_SECONDS = 300
FACETS_CACHE_KEY = "catalog:facets:v3"  # v3: with the per-category counts
FACETS_TTL_SECONDS = 300

# The size filters: (lower bound parameter, upper bound parameter, Product field); weight in kg.
SIZE_BOUNDS = (
    *((f"min_{name}", f"max_{name}", f"{name}_cm") for name in ("width", "depth", "height")),
    ("min_weight", "max_weight", "weight"),
)
