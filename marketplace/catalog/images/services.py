"""Product photos: validation, storage, the gallery copy, and a seller's photo management.

Validated by content before anything is stored, thumbnail made once.

``prepare_*`` turn untrusted input (data URLs or uploaded files) into ``PreparedImage`` values
without touching storage, so a request with one bad image stores nothing. ``images_store``
then writes files and rows; ``StoredFiles`` removes written files again if the surrounding
transaction fails.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from designiaBackend.api.after_commit import best_effort
from designiaBackend.errors import NotFoundError
from infrastructure.images import decode_data_url, image_content_file, make_thumbnail, validate_image
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.exceptions import ImageOrderError, ImageVariantNotFoundError, TooManyImagesError
from marketplace.catalog.models import Product, ProductImage, ProductVariant
from marketplace.catalog.products.permissions import ensure_product_owner
from marketplace.lock_objects import product_for_update

GALLERY_FIELDS = ("id", "image", "thumbnail", "alt_text", "is_primary", "order", "variant_id")
GALLERY_ORDER = ("-is_primary", "order", "id")


@dataclass
class PreparedImage:
    content: ContentFile
    thumbnail: ContentFile
    is_primary: bool = False
    order: int | None = None
    alt_text: str = ""


def _prepare(data, *, is_primary=False, order=None, alt_text=""):
    """Storage names are made by ``image_content_file``, never from the client's file name."""
    info = validate_image(data, max_bytes=settings.PRODUCT_IMAGE_MAX_BYTES)
    content = image_content_file(data, info, stem="product")
    return PreparedImage(
        content=content,
        thumbnail=make_thumbnail(content.file.getvalue(), stem=f"{content.name.rsplit('.', 1)[0]}-thumb"),
        is_primary=is_primary,
        order=order,
        alt_text=alt_text[:200],
    )


def prepare_data_url_images(items):
    """``image_data`` entries (E48/E49) -> PreparedImage list; raises on the first bad one."""
    prepared = []
    for item in items:
        data = decode_data_url(item["image_content"], max_bytes=settings.PRODUCT_IMAGE_MAX_BYTES)
        prepared.append(
            _prepare(
                data,
                is_primary=item.get("is_primary", False),
                order=item.get("order"),
                alt_text=item.get("alt_text", ""),
            )
        )
    return prepared


def prepare_uploaded_images(files):
    """Multipart files -> PreparedImage list; raises on the first bad one."""
    prepared = []
    for upload in files:
        validate_image(upload, max_bytes=settings.PRODUCT_IMAGE_MAX_BYTES)
        prepared.append(_prepare(upload.read()))
    return prepared


class StoredFiles:
    """Names of files written in this block; deleted again if the block raises."""

    def __init__(self):
        self.names = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            for name in self.names:
                default_storage.delete(name)
        return False


def images_store(*, product, images, stored, variant_id=None):
    """Append ``images`` to ``product`` (locked by the caller), keeping exactly one primary image;
    ``variant_id``: they are that variant's photos (checked to be the product's by the caller).
    Returns the product's new gallery."""
    if not images:
        return product.gallery
    existing = list(product.images.all())
    limit = settings.PRODUCT_MAX_IMAGES
    if len(existing) + len(images) > limit:
        raise TooManyImagesError(TooManyImagesError.default_message.format(limit=limit))
    wants_primary = any(image.is_primary for image in images)
    if wants_primary and existing:
        product.images.filter(is_primary=True).update(is_primary=False)
    has_primary = any(image.is_primary for image in existing) and not wants_primary
    next_order = max((image.order for image in existing), default=-1) + 1
    primary_taken = has_primary
    for position, prepared in enumerate(images):
        is_primary = not primary_taken and (prepared.is_primary or not wants_primary)
        primary_taken = primary_taken or is_primary
        image = ProductImage(
            product=product,
            variant_id=variant_id,
            alt_text=prepared.alt_text or product.name[:200],
            is_primary=is_primary,
            order=prepared.order if prepared.order is not None else next_order + position,
        )
        image.image.save(prepared.content.name, prepared.content, save=False)
        stored.names.append(image.image.name)
        image.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
        stored.names.append(image.thumbnail.name)
        image.save()
    return product_galleries_refresh([product.pk])[product.pk]


def product_galleries_refresh(product_ids):
    """Rewrite ``Product.gallery`` of these products from their ``ProductImage`` rows; returns
    ``{product_id: gallery}``.

    Every change of a product's images calls it in the same transaction (under the product's
    row lock where a seller acts), so the copy is never seen out of step.
    """
    galleries = {product_id: [] for product_id in product_ids}
    rows = (
        ProductImage.objects.filter(product_id__in=galleries)
        .order_by("product_id", *GALLERY_ORDER)
        .values("product_id", *GALLERY_FIELDS)
    )
    for row in rows:
        if row["variant_id"] is None:  # a photo of the whole product: the entry as before variants
            del row["variant_id"]
        galleries[row.pop("product_id")].append(row)
    Product.objects.bulk_update(
        [Product(pk=product_id, gallery=gallery) for product_id, gallery in galleries.items()],
        ["gallery"],
        batch_size=500,
    )
    return galleries


def image_files_delete_on_commit(names):
    """Delete files once the transaction commits, unless another image row still uses them."""
    names = [name for name in names if name]

    def delete():
        still_used = set(ProductImage.objects.filter(image__in=names).values_list("image", flat=True))
        still_used |= set(
            ProductImage.objects.filter(thumbnail__in=names).values_list("thumbnail", flat=True)
        )
        for name in names:
            if name not in still_used:
                default_storage.delete(name)

    best_effort(delete, what="image_files_delete")  # the orphan-file sweep catches a miss


# --- a seller's management of a product's photos (each returns the new gallery) -----------


def _locked_product(*, product, user):
    product = product_for_update(product.pk)
    ensure_product_owner(product=product, user=user)
    best_effort(category_tree_invalidate, what="cache_invalidate")  # cached lists and details show the images
    return product


@transaction.atomic
def product_images_add(*, product, user, images, variant_id=None):
    """Append photos; with ``variant_id`` (a variant of this product, else 400) they are its own."""
    product = _locked_product(product=product, user=user)
    if variant_id is not None and not ProductVariant.objects.filter(pk=variant_id, product=product).exists():
        raise ImageVariantNotFoundError()
    with StoredFiles() as stored:
        return images_store(product=product, images=list(images), stored=stored, variant_id=variant_id)


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
