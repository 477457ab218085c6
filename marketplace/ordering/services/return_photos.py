"""Return photos (E43 ``proof_images``): a photo sent as a data URL is validated and stored like
every uploaded image, re-encoded without EXIF/XMP/IPTC metadata under a server-made name
(``infrastructure.images``); the request keeps its storage name. Other entries (links) stay."""

from __future__ import annotations  # ContentFile[bytes]: django-stubs' generic, not subscriptable at run time

from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from infrastructure.images import decode_data_url, image_content_file, validate_image

DATA_URL_PREFIX = "data:"
RETURN_PHOTO_FOLDER = "returns"


def _prepared(value: str) -> ContentFile[bytes] | str:
    if not value.startswith(DATA_URL_PREFIX):
        return value
    data = decode_data_url(value, max_bytes=settings.PRODUCT_IMAGE_MAX_BYTES)
    info = validate_image(data, max_bytes=settings.PRODUCT_IMAGE_MAX_BYTES)
    return image_content_file(data, info, stem="return")


def return_photos_store(values: Iterable[str]) -> list[str]:
    """``proof_images`` as stored. Every photo is checked before any is written (400 on the first
    bad one, nothing stored); the caller calls this before its first row write."""
    prepared = [_prepared(value) for value in values]
    folder = f"{RETURN_PHOTO_FOLDER}/{timezone.now():%Y/%m}"
    return [
        item if isinstance(item, str) else default_storage.save(f"{folder}/{item.name}", item)
        for item in prepared
    ]
