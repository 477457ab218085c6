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


@pytest.mark.django_db
def test_without_public_base_url_media_links_use_the_requests_host(auth_client, settings):
    """A server started on another port (or host) serves avatar links that load from it."""
    from authentication.tests.conftest import upload
    from authentication.tests.factories import UserFactory

    settings.PUBLIC_BASE_URL = ""
    client = auth_client(UserFactory())
    response = client.post(
        "/api/auth/profile/picture/upload/",
        {"file": upload("me.png")},
        format="multipart",
        HTTP_HOST="127.0.0.1:8123",
    )

    assert response.status_code == 200
    url = response.json()["profile_picture_url"]
    assert url.startswith("http://127.0.0.1:8123/media/avatars/")
    read = client.get("/api/auth/profile/", HTTP_HOST="localhost:9000", secure=True).json()
    assert read["avatar"] == url.replace("http://127.0.0.1:8123", "https://localhost:9000")
    assert client.get(url.removeprefix("http://127.0.0.1:8123")).status_code == 200


def test_without_public_base_url_or_a_request_links_use_the_default(settings):
    settings.PUBLIC_BASE_URL = ""
    assert public_url("avatars/a.png") == "http://localhost:8000/media/avatars/a.png"
    settings.PUBLIC_BASE_URL = "https://api.designia.example"
    assert public_url("avatars/a.png") == "https://api.designia.example/media/avatars/a.png"
