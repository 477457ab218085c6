"""Upload, replace, delete and read a product's 3D models through the API (local private storage)."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ar.models import ARModel
from ar.tests.builders import JPEG_BYTES, USDA_TRIANGLE, data_url, make_glb, make_usdz
from ar.tests.factories import ProductFactory
from ar.tests.helpers import assert_nothing_stored, read_stored, stored_files, upload_file

pytestmark = pytest.mark.django_db


def test_a_seller_uploads_a_glb_and_it_is_stored_with_its_metadata(seller_client, seller, product):
    glb = make_glb(meshes=2, triangles_per_mesh=3)

    response = upload_file(seller_client, product, glb, name="Oak Chair (final).glb")

    assert response.status_code == 201
    body = response.json()
    model = ARModel.objects.get(product=product)
    assert body == {
        "product_id": str(product.pk),
        "format": "glb",
        "filename": "Oak-Chair-final.glb",
        "content_type": "model/gltf-binary",
        "size": len(glb),
        "checksum": hashlib.sha256(glb).hexdigest(),
        "checksum_algorithm": "sha256",
        "version": 1,
        "vertex_count": 18,
        "mesh_count": 2,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert model.uploaded_by == seller
    assert model.storage_name.startswith(f"ar/models/{product.pk}/") and model.storage_name.endswith(".glb")
    assert read_stored(model) == glb


def test_a_usdz_can_be_uploaded_as_a_base64_data_url(seller_client, product):
    usdz = make_usdz()

    response = seller_client.post(
        f"/api/ar/models/{product.pk}/",
        {"model_content": data_url(usdz, "model/vnd.usdz+zip"), "filename": "chair.usdz"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["format"] == "usdz"
    assert (response.json()["vertex_count"], response.json()["mesh_count"]) == (None, None)
    assert read_stored(ARModel.objects.get(product=product, format="usdz")) == usdz


def test_a_new_upload_replaces_the_model_and_removes_the_old_file(seller_client, product):
    upload_file(seller_client, product, make_glb())
    old = ARModel.objects.get(product=product)
    new_glb = make_glb(triangles_per_mesh=5)

    response = upload_file(seller_client, product, new_glb, name="v2.glb")

    assert response.status_code == 200
    model = ARModel.objects.get(product=product)
    assert (model.pk, model.version, model.size, model.vertex_count) == (old.pk, 2, len(new_glb), 15)
    assert model.original_filename == "v2.glb"
    assert stored_files(product) == [model.storage_name.rsplit("/", 1)[1]]
    assert read_stored(model) == new_glb


def test_glb_and_usdz_live_side_by_side_and_delete_by_format(seller_client, product):
    upload_file(seller_client, product, make_glb())
    upload_file(seller_client, product, make_usdz(), name="chair.usdz")
    usdz = ARModel.objects.get(product=product, format="usdz")

    response = seller_client.delete(f"/api/ar/models/{product.pk}/?format=glb")

    assert response.status_code == 204
    assert list(ARModel.objects.filter(product=product).values_list("format", flat=True)) == ["usdz"]
    assert stored_files(product) == [usdz.storage_name.rsplit("/", 1)[1]]

    assert seller_client.delete(f"/api/ar/models/{product.pk}/").status_code == 204
    assert_nothing_stored(product)
    response = seller_client.delete(f"/api/ar/models/{product.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "ar_model_not_found"


@pytest.mark.parametrize(
    ("name", "data", "code", "text"),
    [
        ("truncated.glb", make_glb()[:-12], "invalid_glb", "truncated or corrupt"),
        ("lying.glb", make_glb(declared_length=len(make_glb()) * 4), "invalid_glb", "declares"),
        ("photo.glb", JPEG_BYTES, "unsupported_model_format", "neither a GLB"),
        (
            "bomb.usdz",
            make_usdz([("scene.usda", USDA_TRIANGLE + b" " * 5_000_000)], compression=8),
            "invalid_usdz",
            "stored uncompressed",
        ),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(seller_client, product, name, data, code, text):
    response = upload_file(seller_client, product, data, name=name)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert text in response.json()["detail"]
    assert_nothing_stored(product)


def test_a_declared_format_must_match_the_content(seller_client, product):
    response = upload_file(seller_client, product, make_glb(), name="chair.usdz", format="usdz")

    assert response.status_code == 400
    assert response.json()["code"] == "model_format_mismatch"
    assert_nothing_stored(product)


def test_a_file_over_the_limit_is_refused(seller_client, product, settings):
    glb = make_glb(triangles_per_mesh=50)
    settings.AR_MODEL_MAX_SIZE = len(glb) - 1

    response = upload_file(seller_client, product, glb)

    assert response.status_code == 400
    assert response.json()["code"] == "model_too_large"
    assert_nothing_stored(product)


def test_a_body_too_big_to_hold_an_allowed_model_is_refused_before_parsing(seller_client, product, settings):
    settings.AR_MODEL_MAX_SIZE = 1024
    response = seller_client.post(
        f"/api/ar/models/{product.pk}/", {"model_content": "A" * 200_000, "filename": "x.glb"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "model_too_large"
    assert_nothing_stored(product)


def test_invalid_upload_input_gets_field_errors(seller_client, product):
    response = seller_client.post(f"/api/ar/models/{product.pk}/", {"filename": "x.glb"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"model_content": ["This field is required."], "code": "invalid"}

    response = seller_client.post(
        f"/api/ar/models/{product.pk}/", {"model_content": "data:model/gltf-binary;base64,@@@"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data_url"
    assert_nothing_stored(product)


def test_only_the_products_seller_or_staff_may_change_its_models(
    auth_client, api_client, product, other_seller, customer, staff
):
    glb = make_glb()
    for user in (other_seller, customer):
        response = upload_file(auth_client(user), product, glb)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert auth_client(user).delete(f"/api/ar/models/{product.pk}/").status_code == 403
    assert upload_file(api_client, product, glb).status_code == 401
    assert_nothing_stored(product)

    assert upload_file(auth_client(staff), product, glb).status_code == 201
    assert auth_client(staff).delete(f"/api/ar/models/{product.pk}/").status_code == 204


def test_unknown_deleted_or_hidden_products_are_404(seller_client, auth_client, other_seller, seller):
    glb = make_glb()
    response = seller_client.post("/api/ar/models/999999999/", {"model_content": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert seller_client.post("/api/ar/models/99999999999999999999999/", {}, format="json").status_code == 404
    deleted = ProductFactory(seller=seller, deleted_at=timezone.now())
    response = upload_file(seller_client, deleted, glb)
    assert response.status_code == 404
    assert response.json()["detail"] == "Product not found."
    hidden = ProductFactory(is_active=False)
    assert upload_file(auth_client(other_seller), hidden, glb).status_code == 404
    assert upload_file(auth_client(hidden.seller), hidden, glb).status_code == 201


# --- metadata and download links -----------------------------------------------------------------------


def test_metadata_lists_the_formats_with_an_etag_and_answers_304_when_unchanged(
    api_client, seller_client, product, django_assert_max_num_queries
):
    glb, usdz = make_glb(), make_usdz()
    upload_file(seller_client, product, glb)
    upload_file(seller_client, product, usdz, name="chair.usdz")
    url = f"/api/ar/models/{product.pk}/"

    with django_assert_max_num_queries(2):
        response = api_client.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["product_id"] == str(product.pk)
    assert body["has_ar_model"] is True
    assert body["formats"] == ["glb", "usdz"]
    assert [(m["format"], m["size"], m["checksum"]) for m in body["models"]] == [
        ("glb", len(glb), hashlib.sha256(glb).hexdigest()),
        ("usdz", len(usdz), hashlib.sha256(usdz).hexdigest()),
    ]
    etag = response["ETag"]
    assert etag == f'"{body["etag"]}"'

    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    upload_file(seller_client, product, make_glb(triangles_per_mesh=2))
    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_metadata_of_a_product_without_models(api_client, product):
    response = api_client.get(f"/api/ar/models/{product.pk}/")
    assert response.status_code == 200
    assert response.json()["has_ar_model"] is False
    assert response.json()["models"] == []


def test_hidden_products_are_visible_only_to_their_seller_and_staff(api_client, auth_client, staff, customer):
    hidden = ProductFactory(is_active=False)
    url = f"/api/ar/models/{hidden.pk}/"
    assert api_client.get(url).status_code == 404
    assert auth_client(customer).get(url).status_code == 404
    assert auth_client(hidden.seller).get(url).status_code == 200
    assert auth_client(staff).get(url).status_code == 200
    assert api_client.get(f"{url}download-link/?format=glb").status_code == 404


def test_a_download_link_serves_the_stored_bytes(
    api_client, seller_client, product, django_assert_max_num_queries
):
    glb = make_glb()
    upload_file(seller_client, product, glb)

    with django_assert_max_num_queries(2):
        response = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=glb")

    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "glb"
    assert body["expires_in"] == 600
    assert (body["size"], body["checksum"], body["version"]) == (len(glb), hashlib.sha256(glb).hexdigest(), 1)
    assert body["url"].startswith("http://localhost:8000/api/files/private/")
    file_response = api_client.get(body["url"].removeprefix("http://localhost:8000"))
    assert file_response.status_code == 200
    assert b"".join(file_response.streaming_content) == glb


def test_an_expired_local_download_link_is_refused(api_client, seller_client, product):
    upload_file(seller_client, product, make_glb())
    link = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=glb").json()
    path = link["url"].removeprefix("http://localhost:8000")

    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        response = api_client.get(path)

    assert response.status_code == 404
    assert api_client.get(path).status_code == 200


def test_a_download_link_needs_a_valid_existing_format(api_client, seller_client, product):
    upload_file(seller_client, product, make_glb())

    response = api_client.get(f"/api/ar/models/{product.pk}/download-link/")
    assert response.status_code == 400
    assert response.json() == {"format": ["This field is required."], "code": "invalid"}
    response = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=obj")
    assert response.status_code == 400
    response = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=usdz")
    assert response.status_code == 404
    assert response.json()["code"] == "ar_model_not_found"
