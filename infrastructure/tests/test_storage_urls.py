import pytest
from django.core.files.storage import FileSystemStorage

from infrastructure.storage import public_url

NAMES = ["products/2026/11/oak chair.jpg", "products/thumbnails/ÿ-ñ%20#?.webp", "/avatars/a.png", "a"]


@pytest.mark.parametrize("name", NAMES)
def test_local_public_urls_are_what_the_storage_answers_made_absolute(name, settings):
    settings.PUBLIC_BASE_URL = "https://api.designia.example"
    for base_url in ("/media/", "https://cdn.designia.example/media/"):
        storage = FileSystemStorage(location="/tmp/unused", base_url=base_url)
        expected = storage.url(name)
        if expected.startswith("/"):
            expected = f"https://api.designia.example{expected}"
        assert public_url(name, storage) == expected


def test_no_file_has_no_url():
    assert public_url(None) is None and public_url("") is None
