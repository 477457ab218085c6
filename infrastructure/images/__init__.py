"""Image validation by content (Pillow), data-URL decoding and thumbnails.

Used for avatars, seller application images, product images, chat images and return photos: a
file is accepted only when Pillow identifies it as one of the allowed formats and fully decodes it
within the size and pixel limits. The extension and declared content type are never trusted.

Every stored upload goes through ``image_content_file``: the pixels are re-encoded with the EXIF
orientation applied and no EXIF, XMP or IPTC metadata (GPS position, camera, time), under a name
made here (the client's file name never reaches storage).
"""

from __future__ import annotations  # ContentFile[bytes] (django-stubs' generic) is no runtime subscript

import base64
import binascii
import io
import re
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from designiaBackend.errors import ApplicationError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
DATA_URL = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w-]+=[\w.-]+)*);base64,(?P<data>.*)$", re.S
)


class InvalidImageError(ApplicationError):
    code = "invalid_image"
    default_message = "The file is not a valid JPEG, PNG or WebP image."


class InvalidDataURLError(ApplicationError):
    code = "invalid_data_url"
    default_message = "The content must be a base64 data URL (data:<type>;base64,<data>)."


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    size: int

    @property
    def extension(self) -> str:
        return ALLOWED_FORMATS[self.format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _read_all(file_or_bytes: Any) -> bytes:
    """The whole content of bytes or a file (rewound before and after)."""
    if isinstance(file_or_bytes, bytes | bytearray):
        return bytes(file_or_bytes)
    if hasattr(file_or_bytes, "seek"):
        file_or_bytes.seek(0)
    data: bytes = file_or_bytes.read()
    if hasattr(file_or_bytes, "seek"):
        file_or_bytes.seek(0)
    return data


def validate_image(
    file_or_bytes: Any,
    *,
    max_bytes: int,
    max_pixels: int | None = None,
    formats: Mapping[str, str] = ALLOWED_FORMATS,
) -> ImageInfo:
    """Check that the content is a real image of an allowed format within the limits.

    Returns an ``ImageInfo``; raises ``InvalidImageError`` (400) otherwise.
    """
    size = getattr(file_or_bytes, "size", None)
    if size is not None and size > max_bytes:
        raise InvalidImageError(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB.", code="image_too_large"
        )
    data = _read_all(file_or_bytes)
    if len(data) > max_bytes:
        raise InvalidImageError(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB.", code="image_too_large"
        )
    if not data:
        raise InvalidImageError("The file is empty.")
    max_pixels = max_pixels or settings.IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format, (width, height) = image.format, image.size
                if width * height > max_pixels:
                    raise InvalidImageError("The image has too many pixels.", code="image_too_large")
                if image_format is None or image_format not in formats:
                    raise InvalidImageError()
                image.load()  # decodes everything: truncated or corrupt files fail here
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise InvalidImageError("The image has too many pixels.", code="image_too_large") from exc
        raise InvalidImageError() from exc
    return ImageInfo(format=image_format, width=width, height=height, size=len(data))


def decode_data_url(value: object, *, max_bytes: int) -> bytes:
    """Decode ``data:<mime>;base64,<data>`` (or bare base64) into bytes, refusing oversized content."""
    if not isinstance(value, str) or not value:
        raise InvalidDataURLError()
    match = DATA_URL.match(value.strip())
    payload = match.group("data") if match else value.strip()
    if len(payload) * 3 // 4 > max_bytes + 3:
        raise InvalidImageError(
            f"The file is larger than {max_bytes // (1024 * 1024)} MB.", code="file_too_large"
        )
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidDataURLError() from exc


# Per-format options of the re-encoding; JPEG at a quality that keeps photos visually unchanged.
SAVE_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}}
# What survives from the original's info: colour profile and transparency, never metadata.
KEPT_INFO = ("icc_profile", "transparency")
ENCODABLE_MODES = {
    "JPEG": ("RGB", "L", "CMYK"),
    "PNG": ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"),
    "WEBP": ("RGB", "RGBA"),
}


def _encodable(image: Image.Image, image_format: str, kept: dict[str, object]) -> Image.Image:
    if image.mode in ENCODABLE_MODES[image_format]:
        return image
    alpha = image_format != "JPEG" and (image.has_transparency_data or image.mode.endswith("A"))
    kept.pop("transparency", None)
    return image.convert("RGBA" if alpha else "RGB")


def image_without_metadata(data: bytes, info: ImageInfo) -> bytes:
    """Validated image bytes re-encoded in their own format, the EXIF orientation applied to the
    pixels, with no EXIF, XMP, IPTC, comment or text chunk left (only colour and transparency)."""
    with Image.open(io.BytesIO(data)) as original:
        kept: dict[str, object] = {key: original.info[key] for key in KEPT_INFO if key in original.info}
        image = ImageOps.exif_transpose(original)
    image.info = {}  # encoders fall back to the image's own info: leave them nothing to copy
    image = _encodable(image, info.format, kept)
    out = io.BytesIO()
    image.save(out, format=info.format, **SAVE_OPTIONS[info.format], **kept)
    return out.getvalue()


def image_content_file(data: bytes, info: ImageInfo, stem: str = "image") -> ContentFile[bytes]:
    """Validated bytes without their metadata (``image_without_metadata``), in a ContentFile named
    ``<stem>-<random hex>.<real extension>``. ``stem`` is the kind of image ("avatar", "chat"),
    never anything the client chose."""
    safe_stem = re.sub(r"[^\w-]+", "-", stem).strip("-")[:40] or "image"
    name = f"{safe_stem}-{uuid.uuid4().hex}.{info.extension}"
    return ContentFile(image_without_metadata(data, info), name=name)


def make_thumbnail(
    data: bytes, *, size: tuple[int, int] = (400, 400), stem: str = "thumb"
) -> ContentFile[bytes]:
    """A WebP thumbnail (longest side within ``size``) of validated image bytes."""
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        image.thumbnail(size)
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=82)
    return ContentFile(out.getvalue(), name=f"{stem}.webp")
