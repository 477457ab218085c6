"""Uploaded account images (avatar, seller application) are stored without EXIF/XMP/IPTC, upright,
under names the server made (issue 22)."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication.models import Profile, SellerApplication
from authentication.tests.conftest import upload
from authentication.tests.factories import UserFactory
from infrastructure.tests.image_samples import assert_no_metadata_and_upright, gps_jpeg

pytestmark = pytest.mark.django_db

GENERATED = r"{folder}/\d{{4}}/\d{{2}}/{stem}-[0-9a-f]{{32}}\.{extension}"


def stored_bytes(name):
    with default_storage.open(name) as handle:
        return handle.read()


def test_avatar_is_stored_without_metadata_and_upright(auth_client):
    user = UserFactory()
    photo = SimpleUploadedFile("IMG_0001.jpg", gps_jpeg(), content_type="image/jpeg")

    response = auth_client(user).post(
        "/api/auth/profile/picture/upload/", {"file": photo}, format="multipart"
    )

    assert response.status_code == 200
    name = Profile.objects.get(user=user).avatar.name
    assert re.fullmatch(GENERATED.format(folder="avatars", stem="avatar", extension="jpg"), name)
    assert response.json()["profile_picture_url"].endswith(name)
    assert_no_metadata_and_upright(stored_bytes(name))


@pytest.mark.parametrize(
    "client_name", ["../../../x.png", "..\\..\\x.png", "/etc/passwd.png", "x" * 300 + ".png"]
)
def test_avatar_file_name_never_reaches_storage(auth_client, client_name):
    user = UserFactory()

    response = auth_client(user).post(
        "/api/auth/profile/picture/upload/", {"file": upload(client_name)}, format="multipart"
    )

    assert response.status_code == 200
    name = Profile.objects.get(user=user).avatar.name
    assert re.fullmatch(GENERATED.format(folder="avatars", stem="avatar", extension="png"), name)
    assert default_storage.exists(name)


def test_seller_application_images_are_stored_without_metadata(auth_client):
    user = UserFactory(two_factor_enabled=True)
    files = {
        "shop_logo": SimpleUploadedFile("../logo.jpg", gps_jpeg(), content_type="image/jpeg"),
        "uploaded_images": [SimpleUploadedFile("..\\work.jpg", gps_jpeg(), content_type="image/jpeg")],
    }
    form = {
        "business_name": "Oak & Ash",
        "motivation": "Solid oak tables by hand.",
        "seller_type": "individual",
    }

    response = auth_client(user).post("/api/auth/seller/apply/", {**form, **files}, format="multipart")

    assert response.status_code == 201
    application = SellerApplication.objects.get(user=user)
    [image] = application.images.all()
    logo_pattern = GENERATED.format(folder="seller_applications/logos", stem="logo", extension="jpg")
    assert re.fullmatch(logo_pattern, application.shop_logo.name)
    image_pattern = GENERATED.format(folder="seller_applications/images", stem="work-0", extension="jpg")
    assert re.fullmatch(image_pattern, image.image.name)
    for name in (application.shop_logo.name, image.image.name):
        assert_no_metadata_and_upright(stored_bytes(name))
