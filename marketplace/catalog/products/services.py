"""Catalogue writes: products (create, update, soft delete) and default categories."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from designiaBackend.errors import ApplicationError
from marketplace.catalog.ar_hooks import ar_model_handler
from marketplace.catalog.categories import category_tree_invalidate
from marketplace.catalog.exceptions import NotProductOwnerError
from marketplace.catalog.images import StoredFiles, images_store
from marketplace.catalog.models import Category, Product
from marketplace.catalog.search import build_search_document
from marketplace.catalog.seller_ratings import rating_points, seller_rating_ensure, seller_rating_move
from marketplace.catalog.slugs import product_slug_generate

DEFAULT_CATEGORIES = {
    "Seating": ["Chairs", "Armchairs", "Sofas", "Stools", "Benches"],
    "Tables": ["Dining Tables", "Coffee Tables", "Desks", "Side Tables"],
    "Storage": ["Shelves", "Cabinets", "Dressers", "Sideboards"],
    "Bedroom": ["Beds", "Nightstands", "Wardrobes"],
    "Lighting": ["Pendant Lamps", "Floor Lamps", "Table Lamps"],
    "Decor": ["Mirrors", "Rugs", "Vases", "Wall Art"],
    "Outdoor": ["Garden Chairs", "Garden Tables"],
}
# Fields a seller sets directly; ``is_featured`` is for staff only.
EDITABLE_FIELDS = (
    "name",
    "description",
    "short_description",
    "price",
    "original_price",
    "currency",
    "stock_quantity",
    "category",
    "condition",
    "brand",
    "materials",
    "dimensions",
    "weight",
    "colors",
    "tags",
    "is_active",
)
MISSING = object()

logger = logging.getLogger(__name__)


def product_refresh_search_document(product):
    product.search_document = build_search_document(
        name=product.name,
        brand=product.brand,
        tags=product.tags,
        category_name=product.category.name if product.category_id else "",
        description=product.description,
    )


def ensure_product_owner(*, product, user):
    if not (user.is_staff or product.seller_id == user.pk):
        raise NotProductOwnerError()


def _on_catalog_change():
    transaction.on_commit(category_tree_invalidate)


@transaction.atomic
def product_create(*, seller, data, images=(), model_data=MISSING):
    """E48: a product with its images (validated beforehand) and, optionally, an AR model."""
    fields = {key: data[key] for key in EDITABLE_FIELDS if key in data}
    if seller.is_staff and "is_featured" in data:
        fields["is_featured"] = data["is_featured"]
    product = Product(seller=seller, **fields)
    product.slug = data.get("slug") or product_slug_generate(product.name)
    product_refresh_search_document(product)
    with StoredFiles() as stored:
        try:
            with transaction.atomic():
                product.save()
        except IntegrityError as exc:  # a concurrent create took the slug
            raise ApplicationError("This slug is already taken.", code="slug_taken") from exc
        seller_rating_ensure(seller_id=seller.pk)
        images_store(product=product, images=list(images), stored=stored)
        if model_data not in (MISSING, None):
            ar_model_handler().save_from_data_url(product=product, uploaded_by=seller, model_data=model_data)
    _on_catalog_change()
    return product


@transaction.atomic
def product_update(*, product, user, data, images=(), model_data=MISSING):
    """E49: change fields, append images (C18), replace (object) or remove (null) the AR model."""
    product = Product.objects.select_for_update().select_related("category").get(pk=product.pk)
    ensure_product_owner(product=product, user=user)
    for key in EDITABLE_FIELDS:
        if key in data:
            setattr(product, key, data[key])
    if user.is_staff and "is_featured" in data:
        product.is_featured = data["is_featured"]
    product_refresh_search_document(product)
    with StoredFiles() as stored:
        product.save()
        images_store(product=product, images=list(images), stored=stored)
        if model_data is None:
            ar_model_handler().remove(product=product)
        elif model_data is not MISSING:
            ar_model_handler().save_from_data_url(product=product, uploaded_by=user, model_data=model_data)
    _on_catalog_change()
    return product


@transaction.atomic
def product_delete(*, product, user):
    """E50: a soft delete. The product leaves the catalogue; orders keep pointing at it."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    ensure_product_owner(product=product, user=user)
    product.deleted_at = timezone.now()
    product.is_active = False
    product.save(update_fields=["deleted_at", "is_active", "updated_at"])
    seller_rating_move(
        seller_id=product.seller_id,
        points=-rating_points(product.rating_distribution),
        reviews=-product.review_count,
    )
    _on_catalog_change()
    return product


@transaction.atomic
def products_set_featured(*, product_ids, featured, staff_user):
    """Staff put products on (or take them off) the home page's featured list; returns how many."""
    count = Product.objects.filter(pk__in=list(product_ids), deleted_at__isnull=True).update(
        is_featured=featured
    )
    logger.info("Staff %s set is_featured=%s on %d products", staff_user.pk, featured, count)
    _on_catalog_change()
    return count


@transaction.atomic
def products_deactivate_for_seller(*, seller):
    """Take every product of ``seller`` off the catalogue (account deletion); returns how many."""
    count = Product.objects.filter(seller=seller, is_active=True).update(is_active=False)
    _on_catalog_change()
    return count


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
    _on_catalog_change()
    return created


@transaction.atomic
def category_products_reindex(*, category):
    """Refresh the search text of the category's products (after a rename); returns how many."""
    products = list(Product.objects.filter(category=category).select_related("category"))
    for product in products:
        product_refresh_search_document(product)
    Product.objects.bulk_update(products, ["search_document"], batch_size=500)
    _on_catalog_change()
    return len(products)
