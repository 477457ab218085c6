"""Product photos are stored without EXIF/XMP/IPTC, upright, under names the server made; the
client's file name (traversal included) never reaches storage (issue 22)."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from authentication.tests.factories import SellerFactory
from infrastructure.tests.image_samples import DISPLAYED_SIZE, assert_no_metadata_and_upright, gps_jpeg
from marketplace.catalog.models import ProductImage
from marketplace.tests.catalog_factories import CategoryFactory, data_url, image_item

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"
IMAGE_NAME = re.compile(r"products/\d{4}/\d{2}/product-[0-9a-f]{32}\.(jpg|png)")
THUMBNAIL_NAME = re.compile(r"products/thumbnails/\d{4}/\d{2}/product-[0-9a-f]{32}-thumb\.webp")
TRAVERSALS = ["../../../x.png", "..\\..\\x.png", "/etc/passwd", "a/../../b.png", "%2e%2e%2fx.png"]


def stored_bytes(name):
    with default_storage.open(name) as handle:
        return handle.read()


def create(client, images):
    body = {"name": "Oak Chair", "price": "49.99", "stock_quantity": 1, "category": CategoryFactory().id}
    return client.post(URL, {**body, "image_data": images}, format="json")


def test_a_gps_photo_in_the_product_form_is_stored_clean_and_upright(auth_client):
    item = {**image_item(filename="../../../home.jpg"), "image_content": data_url(gps_jpeg(), "image/jpeg")}

    response = create(auth_client(SellerFactory()), [item])

    assert response.status_code == 201, response.json()
    image = ProductImage.objects.get()
    assert IMAGE_NAME.fullmatch(image.image.name) and THUMBNAIL_NAME.fullmatch(image.thumbnail.name)
    assert_no_metadata_and_upright(stored_bytes(image.image.name))
    with Image.open(io.BytesIO(stored_bytes(image.thumbnail.name))) as thumbnail:
        assert thumbnail.size == DISPLAYED_SIZE and dict(thumbnail.getexif()) == {}


@pytest.mark.parametrize("client_name", TRAVERSALS)
def test_traversal_names_in_the_product_form_are_201(auth_client, client_name):
    response = create(auth_client(SellerFactory()), [image_item(filename=client_name)])

    assert response.status_code == 201, response.json()
    image = ProductImage.objects.get()
    assert IMAGE_NAME.fullmatch(image.image.name)
    assert default_storage.exists(image.image.name)


@pytest.mark.parametrize("client_name", TRAVERSALS)
def test_multipart_product_photos_with_traversal_names_are_stored_clean(auth_client, client_name):
    client = auth_client(SellerFactory())
    product = create(client, [image_item()]).json()
    photo = SimpleUploadedFile(client_name, gps_jpeg(), content_type="image/jpeg")

    response = client.post(f"{URL}{product['slug']}/images/", {"images": [photo]}, format="multipart")

    assert response.status_code == 201, response.json()
    added = ProductImage.objects.get(product__slug=product["slug"], is_primary=False)
    assert IMAGE_NAME.fullmatch(added.image.name) and THUMBNAIL_NAME.fullmatch(added.thumbnail.name)
    assert_no_metadata_and_upright(stored_bytes(added.image.name))
