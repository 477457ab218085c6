"""The image rendering shared by the product page, the seller's list and the image endpoints."""

from designiaBackend.api.fields import public_id
from infrastructure.storage import public_url


def product_image(image):
    """An image row (``images.GALLERY_FIELDS``: file names) with URLs; ``variant_id`` is stored
    only on a variant's own photo (null: shown for every variant)."""
    url = public_url(image["image"])
    return {
        "id": public_id(image["id"]),
        "url": url,
        "image": url,
        "thumbnail": public_url(image["thumbnail"]) or url,
        "alt_text": image["alt_text"],
        "is_primary": image["is_primary"],
        "order": image["order"],
        "variant_id": public_id(image.get("variant_id")),
    }
