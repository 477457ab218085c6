"""E07 profile read, E15 update, E16/E17 avatar (local storage and S3)."""

import io

import pytest
import requests
from django.core.files.storage import default_storage
from PIL import Image

from authentication.models import Profile, User
from authentication.tests.conftest import image_bytes, upload
from authentication.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email="ada@example.com", first_name="Ada", last_name="Maker")


@pytest.fixture
def client(auth_client, user):
    return auth_client(user)


def test_profile_read_is_the_user_object(client, user, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/api/auth/profile/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(user.pk)
    assert (body["username"], body["email"], body["role"]) == (user.username, "ada@example.com", "customer")
    assert body["avatar"] is None
    assert body["profile"] == {
        "profile_picture_url": None,
        "bio": "",
        "location": "",
        "phone_number": None,
        "birth_date": None,
        "gender": "",
        "website": "",
        "job_title": "",
        "company": "",
        "shop_name": "",
        "shop_logo_url": None,
        "is_public": True,
        "marketing_emails": False,
        "preferred_currency": "",  # issue 14: display currency (blank: each product's own)
        "country": "",  # issue 14: the seller's country (EU sellers price VAT-inclusive)
        "updated_at": body["profile"]["updated_at"],
    }


def test_patch_accepts_a_flat_body_of_user_and_profile_fields(client, user):
    body = {
        "first_name": "Ana",
        "last_name": "Lund",
        "phone_number": "+46 70 123 45 67",
        "bio": "Oak and ash.",
    }
    response = client.patch("/api/auth/profile/", body, format="json")
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["profile"]["phone_number"]) == (
        "Ana",
        "+46 70 123 45 67",
    )
    read = client.get("/api/auth/profile/").json()
    assert (read["first_name"], read["last_name"]) == ("Ana", "Lund")
    assert read["profile"]["bio"] == "Oak and ash."
    cleared = client.patch("/api/auth/profile/", {"phone_number": None}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["profile"]["phone_number"] is None
    assert Profile.objects.get(user=user).phone_number == ""


def test_patch_validation_errors_change_nothing(client, user):
    response = client.patch(
        "/api/auth/profile/", {"first_name": "X", "phone_number": "call me", "website": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"phone_number", "website"}
    user.refresh_from_db()
    assert user.first_name == "Ada"


def test_mass_assignment_is_ignored(client, user):
    response = client.patch(
        "/api/auth/profile/",
        {
            "role": "admin",
            "is_staff": True,
            "is_superuser": True,
            "is_email_verified": False,
            "two_factor_enabled": True,
            "email": "evil@example.com",
            "id": "00000000-0000-0000-0000-000000000000",
            "shop_name": "Stolen",
        },
        format="json",
    )
    assert response.status_code == 200
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.role, fresh.is_staff, fresh.is_superuser) == ("customer", False, False)
    assert (fresh.is_email_verified, fresh.two_factor_enabled, fresh.email) == (
        True,
        False,
        "ada@example.com",
    )
    assert fresh.profile.shop_name == ""


def test_profile_needs_a_user(api_client):
    assert api_client.get("/api/auth/profile/").status_code == 401
    assert api_client.patch("/api/auth/profile/", {"first_name": "x"}, format="json").status_code == 401


def test_avatar_upload_and_delete_on_local_storage(client, user, settings):
    response = client.post(
        "/api/auth/profile/picture/upload/", {"file": upload("me.png")}, format="multipart"
    )
    assert response.status_code == 200
    url = response.json()["profile_picture_url"]
    assert response.json()["message"] == "Profile picture updated."
    assert url.startswith(f"{settings.PUBLIC_BASE_URL}/media/avatars/")
    read = client.get("/api/auth/profile/").json()
    assert read["profile"]["profile_picture_url"] == url == read["avatar"]
    served = client.get(url.removeprefix(settings.PUBLIC_BASE_URL))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == image_bytes("PNG")
    name = Profile.objects.get(user=user).avatar.name

    deleted = client.delete("/api/auth/profile/picture/delete/")
    assert deleted.status_code == 200
    assert deleted.json() == {"message": "Profile picture removed."}
    assert client.get("/api/auth/profile/").json()["profile"]["profile_picture_url"] is None
    assert not default_storage.exists(name)


def test_replacing_the_avatar_removes_the_old_file(client, user):
    client.post("/api/auth/profile/picture/upload/", {"file": upload("a.png")}, format="multipart")
    old = Profile.objects.get(user=user).avatar.name
    response = client.post(
        "/api/auth/profile/picture/upload/",
        {"file": upload("b.jpg", "JPEG", "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 200
    new = Profile.objects.get(user=user).avatar.name
    assert new.endswith(".jpg") and new != old
    assert default_storage.exists(new) and not default_storage.exists(old)


def test_avatar_on_s3_loads_from_the_bucket(client, user, s3_storage):
    response = client.post(
        "/api/auth/profile/picture/upload/",
        {"file": upload("me.webp", "WEBP", "image/webp")},
        format="multipart",
    )
    assert response.status_code == 200
    url = response.json()["profile_picture_url"]
    name = Profile.objects.get(user=user).avatar.name
    stored = s3_storage.get_object(Bucket=s3_storage.bucket, Key=f"media/{name}")["Body"].read()
    with Image.open(io.BytesIO(stored)) as picture:  # re-encoded (metadata stripped): same picture
        assert (picture.format, picture.size) == ("WEBP", (64, 48))
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == stored


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("fake.png", b"<?php system($_GET['x']); ?>", "image/png"),
        ("anim.gif", None, "image/gif"),
        ("empty.png", b"", "image/png"),
    ],
)
def test_avatar_refuses_non_images(client, user, name, data, content_type):
    if data is None:
        data = image_bytes("GIF")
    response = client.post(
        "/api/auth/profile/picture/upload/",
        {"file": upload(name, data=data, content_type=content_type)},
        format="multipart",
    )
    assert response.status_code == 400
    assert Profile.objects.get(user=user).avatar.name in (None, "")


def test_avatar_refuses_oversized_files(client, user, settings):
    settings.AVATAR_MAX_BYTES = 1024
    response = client.post(
        "/api/auth/profile/picture/upload/",
        {"file": upload("big.png", data=image_bytes("PNG", size=(400, 400), color=None) + b"\0" * 2048)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert not Profile.objects.get(user=user).avatar


def test_avatar_upload_without_file_is_a_field_error(client):
    response = client.post("/api/auth/profile/picture/upload/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
