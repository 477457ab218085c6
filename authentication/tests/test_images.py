"""infrastructure.images.validate_image: content sniffing, size and pixel limits."""

import io

import pytest
from PIL import Image

from authentication.tests.conftest import image_bytes, upload
from infrastructure.images import InvalidImageError, validate_image

MB = 1024 * 1024


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepts_real_images(fmt, extension):
    info = validate_image(image_bytes(fmt, size=(30, 20)), max_bytes=MB)
    assert (info.format, info.width, info.height, info.extension) == (fmt, 30, 20, extension)


def test_ignores_the_declared_name_and_type():
    info = validate_image(upload("photo.png", "JPEG", "image/png"), max_bytes=MB)
    assert info.format == "JPEG"


def test_fake_image_is_refused():
    with pytest.raises(InvalidImageError) as error:
        validate_image(b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", max_bytes=MB)
    assert error.value.code == "invalid_image"


def test_other_formats_are_refused():
    with pytest.raises(InvalidImageError):
        validate_image(image_bytes("GIF"), max_bytes=MB)


def test_oversized_file_is_refused_before_decoding():
    data = image_bytes("PNG") + b"\0" * (2 * MB)
    with pytest.raises(InvalidImageError) as error:
        validate_image(upload("big.png", data=data), max_bytes=MB)
    assert error.value.code == "image_too_large"
    assert error.value.message == "The image is larger than 1 MB."


def test_truncated_file_is_refused():
    data = image_bytes("JPEG", size=(200, 200))
    with pytest.raises(InvalidImageError):
        validate_image(data[: len(data) // 2], max_bytes=MB)


def test_decompression_bomb_is_refused(settings):
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, format="PNG")  # tiny file, 144 million pixels
    data = buffer.getvalue()
    assert len(data) < MB
    settings.IMAGE_MAX_PIXELS = 40_000_000
    with pytest.raises(InvalidImageError) as error:
        validate_image(data, max_bytes=MB)
    assert error.value.code == "image_too_large"


def test_empty_file_is_refused():
    with pytest.raises(InvalidImageError):
        validate_image(b"", max_bytes=MB)
