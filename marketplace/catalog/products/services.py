"""Catalogue writes: products (create, update, soft delete) and default categories."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from designiaBackend.api.after_commit import best_effort
from designiaBackend.errors import ApplicationError
from marketplace.alerts.services import stock_alerts_schedule
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.images.services import StoredFiles, images_store, product_galleries_refresh
from marketplace.catalog.models import Product
from marketplace.catalog.products.ar_hooks import ar_model_handler
from marketplace.catalog.products.attributes import dimensions_from_cm_fields, product_attributes_sync
from marketplace.catalog.products.permissions import ensure_product_owner
from marketplace.catalog.products.selectors import DESCRIPTIVE_FIELDS
from marketplace.catalog.products.seller_ratings import (
    rating_points,
    seller_rating_ensure,
    seller_rating_move,
)
from marketplace.catalog.products.slugs import product_slug_generate
from marketplace.catalog.products.variants import (
    product_variants_derive,
    product_variants_write,
    requested_options,
    variant_option_values,
    variants_validate,
)
from marketplace.catalog.search.backends import search_backend
from marketplace.catalog.search.text import product_search_documents
from marketplace.lock_objects import product_for_update
from marketplace.shipping.services import shipping_profile_ensure_owned

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
    *DESCRIPTIVE_FIELDS,
    "is_active",
)
MISSING = object()
# What a product with variants takes from them (``variants.product_variants_derive``) and search.
DERIVED_FIELDS = ("price", "original_price", "stock_quantity", "search_keywords", "search_document")

logger = logging.getLogger(__name__)


def product_refresh_search_document(product, *, option_values=None):
    """Rewrite the product's search documents (save it, then call ``products_indexed``); a
    product with variants is found by its active variants' option values too ("walnut")."""
    if option_values is None:
        option_values = variant_option_values(product)
    product.search_keywords, product.search_document = product_search_documents(
        product, option_values=option_values
    )


def products_indexed(products):
    """The search backend learns the saved documents of ``products`` (new words, an engine)."""
    search_backend().products_indexed(list(products))


def _on_catalog_change():
    best_effort(category_tree_invalidate, what="cache_invalidate")


def _variants_apply(product, data):
    """Write the options and variants of a create/update (``product`` saved and locked), if it
    gives any; E49 with only ``variants`` keeps the product's options. True when written."""
    if "variants" not in data and "options" not in data:
        return False
    options = requested_options(data, product.pk)
    variant_set = variants_validate(options=options, variants=data.get("variants"))
    product_variants_write(
        product=product, variant_set=variant_set, default_price=data.get("price") or product.price
    )
    if any(image.get("variant_id") for image in product.gallery or ()):  # a removed variant's photos
        product.gallery = product_galleries_refresh([product.pk])[product.pk]
    return True


def product_variants_sync(product):
    """Keep a product with variants in step: its price and stock from the variants, its search
    documents with their option values (in memory: the caller saves)."""
    product_refresh_search_document(product, option_values=product_variants_derive(product))


def _ensure_own_shipping_profile(seller, data) -> None:
    if data.get("shipping_profile_id") is not None:
        shipping_profile_ensure_owned(profile_id=data["shipping_profile_id"], seller=seller)


@transaction.atomic
def product_create(*, seller, data, images=(), model_data=MISSING):
    """E48: a product with its images (validated beforehand) and, optionally, an AR model."""
    _ensure_own_shipping_profile(seller, data)
    data = {**data, **dimensions_from_cm_fields(data)}
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
        if _variants_apply(product, data):
            product_variants_sync(product)
            product.save(update_fields=[*DERIVED_FIELDS, "has_variants"])
        seller_rating_ensure(seller_id=seller.pk)
        product_attributes_sync([product])
        products_indexed([product])
        images_store(product=product, images=list(images), stored=stored)
        if model_data not in (MISSING, None):
            ar_model_handler().save_from_data_url(product=product, uploaded_by=seller, model_data=model_data)
    _on_catalog_change()
    return product


@transaction.atomic
def product_update(*, product, user, data, images=(), model_data=MISSING):
    """E49: change fields, append images (C18), replace (object) or remove (null) the AR model."""
    product = product_for_update(product.pk, with_category=True)
    ensure_product_owner(product=product, user=user)
    _ensure_own_shipping_profile(product.seller, data)
    data = {**data, **dimensions_from_cm_fields(data)}
    for key in EDITABLE_FIELDS:
        if key in data:
            setattr(product, key, data[key])
    if user.is_staff and "is_featured" in data:
        product.is_featured = data["is_featured"]
    variants_written = _variants_apply(product, data)
    product_variants_sync(product)  # a product with variants: its price and stock stay theirs
    with StoredFiles() as stored:
        product.save()
        if variants_written or "materials" in data or "colors" in data:
            product_attributes_sync([product])
        products_indexed([product])
        images_store(product=product, images=list(images), stored=stored)
        if model_data is None:
            ar_model_handler().remove(product=product)
        elif model_data is not MISSING:
            ar_model_handler().save_from_data_url(product=product, uploaded_by=user, model_data=model_data)
    if product.stock_quantity > 0 and product.is_active:
        stock_alerts_schedule([product.pk])  # "notify me" alerts waiting for this product
    _on_catalog_change()
    return product


@transaction.atomic
def product_delete(*, product, user):
    """E50: a soft delete. The product leaves the catalogue; orders keep pointing at it."""
    product = product_for_update(product.pk)
    ensure_product_owner(product=product, user=user)
    product.deleted_at = timezone.now()
    product.is_active = False
    product.save(update_fields=["deleted_at", "is_active", "updated_at"])
    products_indexed([product])  # a search engine drops it
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
