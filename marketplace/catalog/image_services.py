"""A seller's management of a product's photos: add, delete, reorder, choose the primary one.

Each returns the product's new gallery (``Product.gallery`` rows, primary first).
"""

from django.db import transaction

from designiaBackend.errors import NotFoundError
from marketplace.catalog.categories import category_tree_invalidate
from marketplace.catalog.exceptions import ImageOrderError
from marketplace.catalog.images import (
    StoredFiles,
    image_files_delete_on_commit,
    images_store,
    product_galleries_refresh,
)
from marketplace.catalog.models import Product, ProductImage
from marketplace.catalog.services import ensure_product_owner


def _locked_product(*, product, user):
    product = Product.objects.select_for_update().get(pk=product.pk)
    ensure_product_owner(product=product, user=user)
    transaction.on_commit(category_tree_invalidate)  # cached lists and details show the images
    return product


@transaction.atomic
def product_images_add(*, product, user, images):
    product = _locked_product(product=product, user=user)
    with StoredFiles() as stored:
        return images_store(product=product, images=list(images), stored=stored)


@transaction.atomic
def product_image_delete(*, product, user, image_id):
    product = _locked_product(product=product, user=user)
    image = product.images.filter(pk=image_id).first()
    if image is None:
        raise NotFoundError("No such image on this product.")
    names = [image.image.name, image.thumbnail.name if image.thumbnail else None]
    was_primary = image.is_primary
    image.delete()
    if was_primary:
        successor = product.images.order_by("order", "id").first()
        if successor:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    image_files_delete_on_commit(names)
    return _images_after_change(product)


@transaction.atomic
def product_images_reorder(*, product, user, image_ids):
    """``image_ids`` lists every image of the product once, in the new order."""
    product = _locked_product(product=product, user=user)
    images = {image.pk: image for image in product.images.all()}
    if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(images):
        raise ImageOrderError()
    for position, image_id in enumerate(image_ids):
        images[image_id].order = position
    ProductImage.objects.bulk_update(list(images.values()), ["order"])
    return _images_after_change(product)


@transaction.atomic
def product_image_set_primary(*, product, user, image_id):
    product = _locked_product(product=product, user=user)
    if not product.images.filter(pk=image_id).exists():
        raise NotFoundError("No such image on this product.")
    product.images.exclude(pk=image_id).update(is_primary=False)
    product.images.filter(pk=image_id).update(is_primary=True)
    return _images_after_change(product)


def _images_after_change(product):
    return product_galleries_refresh([product.pk])[product.pk]
