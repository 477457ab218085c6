import io

import pytest
import requests
from django.core.files.storage import default_storage
from PIL import Image

from authentication.tests.factories import SellerFactory
from marketplace.catalog.models import ProductImage
from marketplace.tests.catalog_factories import CategoryFactory, image_bytes, image_item

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"


def create(client, images):
    body = {"name": "Oak Chair", "price": "49.99", "stock_quantity": 1, "category": CategoryFactory().id}
    response = client.post(URL, {**body, "image_data": images}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_s3_upload_reads_back_the_same_bytes_and_a_thumbnail(auth_client, s3_storage):
    original = image_bytes(size=(1200, 800), color=(200, 30, 30))
    item = image_item()
    item["image_content"] = "data:image/png;base64," + __import__("base64").b64encode(original).decode()
    product = create(auth_client(SellerFactory()), [item])

    image = ProductImage.objects.get()
    stored = s3_storage.get_object(Bucket=s3_storage.bucket, Key=f"media/{image.image.name}")["Body"].read()
    assert stored == original
    thumb = s3_storage.get_object(Bucket=s3_storage.bucket, Key=f"media/{image.thumbnail.name}")[
        "Body"
    ].read()
    with Image.open(io.BytesIO(thumb)) as picture:
        assert picture.format == "WEBP" and max(picture.size) == 400
    # The URL in the response is absolute and loads as it is (presigned on the moto server).
    url = product["images"][0]["url"]
    assert url.startswith("http://127.0.0.1:") and "X-Amz-Signature" in url
    assert requests.get(url, timeout=5).content == original


def test_local_storage_upload_reads_back(auth_client, settings):
    original = image_bytes(size=(50, 50), color=(1, 2, 3))
    item = image_item()
    item["image_content"] = "data:image/png;base64," + __import__("base64").b64encode(original).decode()
    product = create(auth_client(SellerFactory()), [item])

    image = ProductImage.objects.get()
    with default_storage.open(image.image.name) as handle:
        assert handle.read() == original
    assert default_storage.exists(image.thumbnail.name)
    assert product["images"][0]["url"] == f"{settings.PUBLIC_BASE_URL}/media/{image.image.name}"


def test_seller_manages_images(auth_client):
    seller = SellerFactory()
    client = auth_client(seller)
    product = create(
        client, [image_item(is_primary=True), image_item(filename="b.png"), image_item(filename="c.png")]
    )
    ids = [image["id"] for image in product["images"]]
    base = f"{URL}{product['slug']}/images/"

    def page_shows(answer):  # the product page's gallery follows every change at once
        page = client.get(f"{URL}{product['slug']}/").json()["images"]
        assert [(i["id"], i["is_primary"], i["order"]) for i in page] == [
            (i["id"], i["is_primary"], i["order"]) for i in answer
        ]

    reordered = client.post(f"{base}reorder/", {"image_ids": [ids[2], ids[1], ids[0]]}, format="json")
    assert reordered.status_code == 200
    assert [(i["id"], i["order"]) for i in reordered.json()] == [(ids[0], 2), (ids[2], 0), (ids[1], 1)]
    page_shows(reordered.json())

    primary = client.post(f"{base}{ids[1]}/set_primary/")
    assert primary.status_code == 200
    assert [i["id"] for i in primary.json() if i["is_primary"]] == [ids[1]]
    page_shows(primary.json())

    deleted_name = ProductImage.objects.get(pk=ids[1]).image.name
    removed = client.delete(f"{base}{ids[1]}/")
    assert removed.status_code == 200
    assert [i["id"] for i in removed.json()] == [ids[2], ids[0]]
    assert removed.json()[0]["is_primary"] is True
    assert not default_storage.exists(deleted_name)
    page_shows(removed.json())

    added = client.post(base, {"images": [_upload()]}, format="multipart")
    assert added.status_code == 201
    assert len(added.json()) == 3
    page_shows(added.json())
    assert [i["is_primary"] for i in added.json()] == [True, False, False]


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("d.jpg", image_bytes(image_format="JPEG"), content_type="image/jpeg")


def test_reorder_must_list_every_image_once(auth_client):
    client = auth_client(SellerFactory())
    product = create(client, [image_item(), image_item(filename="b.png")])
    first = product["images"][0]["id"]

    response = client.post(
        f"{URL}{product['slug']}/images/reorder/", {"image_ids": [first, first]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image_order"


def test_other_seller_cannot_manage_images(auth_client):
    product = create(auth_client(SellerFactory()), [image_item()])
    other = auth_client(SellerFactory())
    image_id = product["images"][0]["id"]

    assert other.delete(f"{URL}{product['slug']}/images/{image_id}/").status_code == 403
    assert other.post(f"{URL}{product['slug']}/images/{image_id}/set_primary/").status_code == 403
    assert ProductImage.objects.count() == 1


def test_image_limit(auth_client, settings):
    settings.PRODUCT_MAX_IMAGES = 2
    client = auth_client(SellerFactory())
    product = create(client, [image_item(), image_item(filename="b.png")])

    response = client.patch(f"{URL}{product['slug']}/", {"image_data": [image_item()]}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_images"
    assert ProductImage.objects.count() == 2


def test_the_migration_backfill_builds_the_galleries_the_services_keep(auth_client):
    import importlib

    from django.apps import apps

    from marketplace.catalog.models import Product

    client = auth_client(SellerFactory())
    create(client, [image_item(), image_item(filename="b.png", is_primary=True)])
    create(client, [image_item(filename="c.png")])
    kept = dict(Product.objects.values_list("pk", "gallery"))
    assert sorted(len(gallery) for gallery in kept.values()) == [1, 2]

    Product.objects.update(gallery=[])
    importlib.import_module("marketplace.migrations.0005_product_gallery").backfill(apps, None)

    assert dict(Product.objects.values_list("pk", "gallery")) == kept
