"""Category writes: the default furniture tree, and re-indexing after a rename."""

from django.db import transaction
from django.utils.text import slugify

from designiaBackend.api.after_commit import best_effort
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.models import Category, Product
from marketplace.catalog.products.services import product_refresh_search_document, products_indexed

DEFAULT_CATEGORIES = {
    "Seating": ["Chairs", "Armchairs", "Sofas", "Stools", "Benches"],
    "Tables": ["Dining Tables", "Coffee Tables", "Desks", "Side Tables"],
    "Storage": ["Shelves", "Cabinets", "Dressers", "Sideboards"],
    "Bedroom": ["Beds", "Nightstands", "Wardrobes"],
    "Lighting": ["Pendant Lamps", "Floor Lamps", "Table Lamps"],
    "Decor": ["Mirrors", "Rugs", "Vases", "Wall Art"],
    "Outdoor": ["Garden Chairs", "Garden Tables"],
}


@transaction.atomic
def category_ensure_defaults():
    """Create the missing default furniture categories (idempotent); returns how many were made."""
    created = 0
    for position, (parent_name, child_names) in enumerate(DEFAULT_CATEGORIES.items()):
        parent, made = Category.objects.get_or_create(
            slug=slugify(parent_name), defaults={"name": parent_name, "ordering": position}
        )
        created += made
        for child_position, child_name in enumerate(child_names):
            _, made = Category.objects.get_or_create(
                slug=slugify(child_name),
                defaults={"name": child_name, "parent": parent, "ordering": child_position},
            )
            created += made
    best_effort(category_tree_invalidate, what="cache_invalidate")
    return created


@transaction.atomic
def category_products_reindex(*, category):
    """Refresh the search text of the category's products (after a rename); returns how many."""
    products = list(Product.objects.filter(category=category).select_related("category"))
    for product in products:
        product_refresh_search_document(product)
    Product.objects.bulk_update(products, ["search_keywords", "search_document"], batch_size=500)
    products_indexed(products)
    best_effort(category_tree_invalidate, what="cache_invalidate")
    return len(products)
