"""Contract P2 flow "AR model upload": E48/E49 with ``model_data`` → ProductDetail AR fields."""

import hashlib

import pytest

from ar.models import ARModel
from ar.tests.builders import JPEG_BYTES, data_url, make_glb
from ar.tests.helpers import read_stored, stored_files
from marketplace.catalog.models import Product

pytestmark = pytest.mark.django_db


def load(api_client, url):
    response = api_client.get(url.removeprefix("http://localhost:8000"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_P2_ar_model_upload_through_the_product_form(seller_client, api_client, seller):
    glb = make_glb(meshes=2)

    # E48: create with a model.
    response = seller_client.post(
        "/api/marketplace/products/",
        {
            "name": "Walnut lounge chair",
            "description": "Solid walnut.",
            "price": "249.00",
            "stock_quantity": "2",
            "condition": "new",
            "tags": ["walnut"],
            "model_data": {"model_content": data_url(glb), "filename": "lounge.glb"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["has_ar_model"] is True
    assert created["ar_model_filename"] == "lounge.glb"
    slug = created["slug"]
    product = Product.objects.get(slug=slug)

    # E26: the detail shows the model, and its URL loads the stored bytes.
    detail = api_client.get(f"/api/marketplace/products/{slug}/").json()
    assert (detail["has_ar_model"], detail["ar_model_filename"]) == (True, "lounge.glb")
    assert detail["ar_model_url"].startswith("http://localhost:8000/api/files/private/")
    assert load(api_client, detail["ar_model_url"]) == glb
    model = ARModel.objects.get(product=product)
    assert (model.checksum, model.vertex_count, model.mesh_count) == (hashlib.sha256(glb).hexdigest(), 6, 2)

    # E49 without model_data leaves it; with an invalid one refuses and changes nothing.
    response = seller_client.patch(f"/api/marketplace/products/{slug}/", {"price": "259.00"}, format="json")
    assert response.status_code == 200
    assert response.json()["has_ar_model"] is True
    response = seller_client.patch(
        f"/api/marketplace/products/{slug}/",
        {
            "price": "1.00",
            "model_data": {"model_content": data_url(JPEG_BYTES, "image/jpeg"), "filename": "x.glb"},
        },
        format="json",
    )
    assert response.status_code == 400
    product.refresh_from_db()
    assert str(product.price) == "259.00"
    assert ARModel.objects.get(product=product).version == 1
    assert read_stored(model) == glb

    # E49 with a new model replaces it.
    new_glb = make_glb(triangles_per_mesh=4)
    response = seller_client.patch(
        f"/api/marketplace/products/{slug}/",
        {"model_data": {"model_content": data_url(new_glb), "filename": "lounge-v2.glb"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["ar_model_filename"] == "lounge-v2.glb"
    assert load(api_client, response.json()["ar_model_url"]) == new_glb
    assert ARModel.objects.get(product=product).version == 2
    assert len(stored_files(product)) == 1

    # E49 with model_data: null removes it.
    response = seller_client.patch(f"/api/marketplace/products/{slug}/", {"model_data": None}, format="json")
    assert response.status_code == 200
    assert (response.json()["has_ar_model"], response.json()["ar_model_url"]) == (False, None)
    assert response.json()["ar_model_filename"] is None
    assert not ARModel.objects.filter(product=product).exists()
    assert stored_files(product) == []


def test_P2_ar_model_upload_refuses_a_bad_model_on_create(seller_client, seller):
    response = seller_client.post(
        "/api/marketplace/products/",
        {
            "name": "Broken chair",
            "price": 10,
            "stock_quantity": 1,
            "model_data": {"model_content": data_url(make_glb()[:-20]), "filename": "broken.glb"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "truncated" in str(response.json())
    assert not Product.objects.filter(seller=seller).exists()
    assert not ARModel.objects.exists()
