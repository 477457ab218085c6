"""The image rendering shared by the product page, the seller's list and the image endpoints."""

from designiaBackend.api.fields import public_id
from infrastructure.storage import public_url


def product_image(image):
    """An image row (``images.GALLERY_FIELDS``: file names) with URLs."""
    url = public_url(image["image"])
    return {
        "id": public_id(image["id"]),
        "url": url,
        "image": url,
        "thumbnail": public_url(image["thumbnail"]) or url,
        "alt_text": image["alt_text"],
        "is_primary": image["is_primary"],
        "order": image["order"],
    }
