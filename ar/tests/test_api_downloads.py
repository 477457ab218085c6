"""Download bookkeeping (/api/ar/downloads/) and the catalogue of products with AR."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from ar.models import ARModel, ARModelDownload
from ar.tests.builders import make_glb, make_usdz
from ar.tests.factories import CategoryFactory, ProductFactory
from ar.tests.helpers import upload_file
from marketplace.catalog.images.services import product_galleries_refresh
from marketplace.catalog.models import ProductImage

pytestmark = pytest.mark.django_db

URL = "/api/ar/downloads/"


@pytest.fixture
def modelled_product(seller_client, product):
    upload_file(seller_client, product, make_glb())
    upload_file(seller_client, product, make_usdz(), name="chair.usdz")
    return product


def report(client, product, model_format="glb", device_id="iphone-7F3A", **extra):
    body = {"product_id": product.pk, "format": model_format, "device_id": device_id, **extra}
    return client.post(URL, body, format="json")


def test_a_device_reports_a_download_then_sees_it_up_to_date(auth_client, customer, modelled_product):
    client = auth_client(customer)
    glb = ARModel.objects.get(product=modelled_product, format="glb")

    first = report(client, modelled_product)
    again = report(client, modelled_product)

    assert (first.status_code, again.status_code) == (201, 200)
    record = ARModelDownload.objects.get()
    assert (record.user, record.device_id, record.version, record.checksum) == (
        customer,
        "iphone-7F3A",
        1,
        glb.checksum,
    )
    assert record.download_count == 2
    listing = client.get(URL, {"device_id": "iphone-7F3A"})
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    item = listing.json()["results"][0]
    assert item == {
        "product_id": str(modelled_product.pk),
        "product_name": modelled_product.name,
        "product_slug": modelled_product.slug,
        "format": "glb",
        "device_id": "iphone-7F3A",
        "version": 1,
        "checksum": glb.checksum,
        "download_count": 2,
        "first_downloaded_at": item["first_downloaded_at"],
        "last_downloaded_at": item["last_downloaded_at"],
        "current_version": 1,
        "current_checksum": glb.checksum,
        "is_available": True,
        "is_up_to_date": True,
    }


def test_a_replaced_or_removed_model_shows_as_outdated_or_unavailable(
    auth_client, customer, seller_client, modelled_product
):
    client = auth_client(customer)
    report(client, modelled_product, "glb")
    report(client, modelled_product, "usdz")
    upload_file(seller_client, modelled_product, make_glb(triangles_per_mesh=3))
    seller_client.delete(f"/api/ar/models/{modelled_product.pk}/?format=usdz")

    items = {item["format"]: item for item in client.get(URL).json()["results"]}

    assert (items["glb"]["version"], items["glb"]["current_version"]) == (1, 2)
    assert (items["glb"]["is_available"], items["glb"]["is_up_to_date"]) == (True, False)
    assert (items["usdz"]["is_available"], items["usdz"]["is_up_to_date"]) == (False, False)
    assert items["usdz"]["current_checksum"] is None


def test_an_explicit_old_version_and_checksum_are_recorded(auth_client, customer, modelled_product):
    response = report(auth_client(customer), modelled_product, version=1, checksum="A" * 64)

    assert response.status_code == 201
    assert response.json()["checksum"] == "a" * 64
    assert response.json()["is_up_to_date"] is False


def test_each_user_sees_only_their_own_devices(
    auth_client, customer, other_seller, modelled_product, django_assert_max_num_queries
):
    report(auth_client(customer), modelled_product, device_id="phone-a")
    report(auth_client(customer), modelled_product, "usdz", device_id="phone-b")
    report(auth_client(other_seller), modelled_product, device_id="phone-a")

    with django_assert_max_num_queries(5):
        mine = auth_client(customer).get(URL).json()

    assert mine["count"] == 2
    assert auth_client(customer).get(URL, {"device_id": "phone-b"}).json()["count"] == 1
    assert auth_client(other_seller).get(URL).json()["count"] == 1


def test_download_reports_are_validated(auth_client, api_client, customer, modelled_product, product):
    client = auth_client(customer)
    assert report(api_client, modelled_product).status_code == 401
    response = client.post(URL, {"product_id": "x", "format": "obj", "device_id": "bad id!"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"product_id", "format", "device_id", "code"}
    assert report(client, ProductFactory()).status_code == 404
    hidden = ProductFactory(is_active=False)
    assert report(client, hidden).status_code == 404
    assert client.get(URL, {"device_id": "bad id!"}).status_code == 400
    assert not ARModelDownload.objects.exists()


# --- catalogue of products with AR ------------------------------------------------------------------


def test_the_ar_catalogue_lists_visible_products_with_models(
    api_client, seller, auth_client, django_assert_max_num_queries
):
    seating = CategoryFactory(slug="seating")
    chairs = CategoryFactory(slug="chairs", parent=seating)
    tables = CategoryFactory(slug="tables")
    client = auth_client(seller)
    chair = ProductFactory(seller=seller, category=chairs)
    table = ProductFactory(seller=seller, category=tables)
    hidden = ProductFactory(seller=seller, category=chairs, is_active=False)
    gone = ProductFactory(seller=seller, category=chairs)
    ProductFactory(seller=seller, category=chairs)  # no model
    for item in (chair, table, hidden, gone):
        upload_file(client, item, make_glb())
    upload_file(client, chair, make_usdz(), name="chair.usdz")
    gone.deleted_at = timezone.now()
    gone.save()
    ProductImage.objects.create(
        product=table, image=ContentFile(b"\x89PNG fake", name="table.png"), is_primary=True
    )
    product_galleries_refresh([table.pk])

    with django_assert_max_num_queries(4):
        response = api_client.get("/api/ar/products/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [str(table.pk), str(chair.pk)]
    assert [m["format"] for m in body["results"][1]["ar_models"]] == ["glb", "usdz"]
    assert body["results"][1]["category"] == {"id": chairs.pk, "name": chairs.name, "slug": "chairs"}
    assert body["results"][1]["primary_image"] is None
    assert body["results"][0]["primary_image"].startswith("http://localhost:8000/media/products/")
    assert body["results"][0]["primary_image"].endswith(".png")

    by_parent = api_client.get("/api/ar/products/", {"category": "seating"}).json()
    assert [item["id"] for item in by_parent["results"]] == [str(chair.pk)]
    usdz_only = api_client.get("/api/ar/products/", {"format": "usdz"}).json()
    assert [item["id"] for item in usdz_only["results"]] == [str(chair.pk)]
    assert [m["format"] for m in usdz_only["results"][0]["ar_models"]] == ["usdz"]
    both = api_client.get("/api/ar/products/?category=tables&category=chairs&page_size=1").json()
    assert (both["count"], both["num_pages"], both["has_next"]) == (2, 2, True)
    assert api_client.get("/api/ar/products/", {"format": "fbx"}).status_code == 400
