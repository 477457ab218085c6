"""Images uploaded through the admin are stored as the API stores them (issue 22): validated by
content, re-encoded without EXIF/XMP/IPTC with the orientation applied, under a server-made name.
Each test posts the admin's own change form (as a browser would) with a GPS JPEG and reads the
stored bytes back."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from authentication.models import Profile, SellerApplication
from authentication.tests.factories import StaffFactory, UserFactory
from infrastructure.tests.image_samples import DISPLAYED_SIZE, assert_no_metadata_and_upright, gps_jpeg
from marketplace.catalog.models import ProductImage
from marketplace.tests.catalog_factories import ProductFactory
from marketplace.tests.test_admin_catalog import _FormFields

pytestmark = pytest.mark.django_db

CLIENT_NAME = "../../../IMG_0001 home.jpg"
GENERATED = r"{folder}/\d{{4}}/\d{{2}}/{stem}-[0-9a-f]{{32}}\.{extension}"


def stored_bytes(name):
    with default_storage.open(name) as handle:
        return handle.read()


def gps_upload(content=None):
    return SimpleUploadedFile(CLIENT_NAME, content or gps_jpeg(), content_type="image/jpeg")


def change_form(client, url, form_id):
    parser = _FormFields(form_id)
    response = client.get(url)
    assert response.status_code == 200
    parser.feed(response.content.decode())
    return parser.data


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_a_product_photo_added_in_the_admin_has_no_metadata_a_server_name_and_a_thumbnail(staff_client):
    product = ProductFactory()
    url = f"/admin/marketplace/product/{product.pk}/change/"
    data = change_form(staff_client, url, "product_form")
    row = int(data["images-TOTAL_FORMS"])
    data["images-TOTAL_FORMS"] = str(row + 1)
    data.update(
        {f"images-{row}-alt_text": "side", f"images-{row}-order": "0", f"images-{row}-is_primary": "on"}
    )
    data[f"images-{row}-image"] = gps_upload()

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    image = ProductImage.objects.get(product=product)
    assert re.fullmatch(
        GENERATED.format(folder="products", stem="product", extension="jpg"), image.image.name
    )
    assert_no_metadata_and_upright(stored_bytes(image.image.name))
    # The thumbnail is made from the cleaned copy (upright), not left empty.
    assert image.thumbnail.name.startswith("products/thumbnails/")
    with Image.open(default_storage.open(image.thumbnail.name)) as thumbnail:
        assert thumbnail.size == DISPLAYED_SIZE and not dict(thumbnail.getexif())
    product.refresh_from_db()
    assert [entry["id"] for entry in product.gallery] == [image.pk]


def test_a_product_photo_that_is_no_image_is_refused_in_the_admin(staff_client):
    product = ProductFactory()
    url = f"/admin/marketplace/product/{product.pk}/change/"
    data = change_form(staff_client, url, "product_form")
    row = int(data["images-TOTAL_FORMS"])
    data["images-TOTAL_FORMS"] = str(row + 1)
    data.update({f"images-{row}-order": "0", f"images-{row}-image": gps_upload(b"GIF89a not really")})

    response = staff_client.post(url, data)

    assert response.status_code == 200  # the form again, with the error
    assert not ProductImage.objects.filter(product=product).exists()


@pytest.mark.parametrize(
    ("field", "folder", "stem"), [("avatar", "avatars", "avatar"), ("shop_logo", "shop_logos", "shop-logo")]
)
def test_profile_images_uploaded_in_the_admin_have_no_metadata_and_server_names(
    staff_client, field, folder, stem
):
    user = UserFactory()
    url = f"/admin/authentication/user/{user.pk}/change/"
    data = change_form(staff_client, url, "user_form")
    for multiple in ("groups", "user_permissions"):  # nothing chosen: a browser sends no value at all
        assert data.pop(multiple) == ""
    data[f"profile-0-{field}"] = gps_upload()

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    name = getattr(Profile.objects.get(user=user), field).name
    assert re.fullmatch(GENERATED.format(folder=folder, stem=stem, extension="jpg"), name)
    assert_no_metadata_and_upright(stored_bytes(name))


def test_an_avatar_uploaded_in_the_profile_admin_has_no_metadata_and_a_server_name(staff_client):
    profile = UserFactory().profile
    url = f"/admin/authentication/profile/{profile.pk}/change/"
    data = change_form(staff_client, url, "profile_form")
    data["avatar"] = gps_upload()

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    name = Profile.objects.get(pk=profile.pk).avatar.name
    assert re.fullmatch(GENERATED.format(folder="avatars", stem="avatar", extension="jpg"), name)
    assert_no_metadata_and_upright(stored_bytes(name))


def test_seller_application_images_uploaded_in_the_admin_have_no_metadata_and_server_names(staff_client):
    application = SellerApplication.objects.create(
        user=UserFactory(), business_name="Oak & Co", motivation="Chairs."
    )
    url = f"/admin/authentication/sellerapplication/{application.pk}/change/"
    data = change_form(staff_client, url, "sellerapplication_form")
    data["shop_logo"] = gps_upload()
    row = int(data["images-TOTAL_FORMS"])
    data.update(
        {"images-TOTAL_FORMS": str(row + 1), f"images-{row}-order": "0", f"images-{row}-image": gps_upload()}
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    application.refresh_from_db()
    logo, work = application.shop_logo.name, application.images.get().image.name
    assert re.fullmatch(
        GENERATED.format(folder="seller_applications/logos", stem="logo", extension="jpg"), logo
    )
    assert re.fullmatch(
        GENERATED.format(folder="seller_applications/images", stem="work", extension="jpg"), work
    )
    assert_no_metadata_and_upright(stored_bytes(logo))
    assert_no_metadata_and_upright(stored_bytes(work))
