"""Admin views with download counts, the catalogue hook's ``describe`` and the GDPR export/erasure."""

import pytest
from django.test import Client

from ar.hooks import ProductARModels
from ar.models import ARModel, ARModelDownload
from ar.services import ar_download_record
from ar.tests.builders import make_glb, make_usdz
from ar.tests.factories import ProductFactory
from ar.tests.helpers import stored_files, upload_file
from authentication import gdpr
from authentication.tests.factories import StaffFactory
from designiaBackend.errors import ApplicationError
from marketplace.catalog.models import Product
from marketplace.catalog.products.ar_hooks import ar_model_handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_the_admin_lists_models_with_their_download_counts(
    admin_client, seller_client, product, customer, other_seller
):
    upload_file(seller_client, product, make_glb())
    upload_file(seller_client, product, make_usdz(), name="chair.usdz")
    glb = ARModel.objects.get(format="glb")
    ar_download_record(user=customer, device_id="a", model=glb)
    ar_download_record(user=customer, device_id="a", model=glb)
    ar_download_record(user=other_seller, device_id="b", model=glb)

    response = admin_client.get("/admin/ar/armodel/")

    assert response.status_code == 200
    rows = {model.format: model for model in response.context["cl"].result_list}
    assert (rows["glb"].downloads_total, rows["glb"].devices_total) == (3, 2)
    assert (rows["usdz"].downloads_total, rows["usdz"].devices_total) == (0, 0)
    assert admin_client.get(f"/admin/ar/armodel/{glb.pk}/change/").status_code == 200
    for page in ("armodeldownload", "armodelupload", "mobileapprelease"):
        assert admin_client.get(f"/admin/ar/{page}/").status_code == 200


def test_deleting_a_model_in_the_admin_removes_its_file(
    admin_client, seller_client, product, django_capture_on_commit_callbacks
):
    upload_file(seller_client, product, make_glb())
    model = ARModel.objects.get()
    assert len(stored_files(product)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/ar/armodel/{model.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ARModel.objects.exists()
    assert stored_files(product) == []


def test_the_ar_app_registers_its_handler_and_annotates_many_products_in_one_query(
    seller_client, seller, django_assert_num_queries
):
    assert isinstance(ar_model_handler(), ProductARModels)
    both, usdz_only, none = (ProductFactory(seller=seller) for _ in range(3))
    upload_file(seller_client, both, make_usdz(), name="both.usdz")
    upload_file(seller_client, both, make_glb(), name="both.glb")
    upload_file(seller_client, usdz_only, make_usdz(), name="ios.usdz")

    handler = ar_model_handler()
    products = Product.objects.filter(pk__in=[both.pk, usdz_only.pk, none.pk])
    with django_assert_num_queries(1):
        rows = {
            row["id"]: row
            for row in handler.with_model_names(products).values(
                "id", "ar_model_filename", "ar_model_storage_name"
            )
        }
    described = {
        pk: handler.describe(filename=row["ar_model_filename"], storage_name=row["ar_model_storage_name"])
        for pk, row in rows.items()
    }

    assert described[both.pk]["ar_model_filename"] == "both.glb"  # GLB preferred for the web
    assert described[usdz_only.pk]["ar_model_filename"] == "ios.usdz"
    assert described[both.pk]["has_ar_model"] is True
    assert described[both.pk]["ar_model_url"].startswith("http://localhost:8000/api/files/private/")
    assert described[none.pk] == {"has_ar_model": False, "ar_model_filename": None, "ar_model_url": None}


def test_the_handler_refuses_a_malformed_model_data(product, seller):
    with pytest.raises(ApplicationError) as caught:
        ar_model_handler().save_from_data_url(product=product, uploaded_by=seller, model_data="nope")
    assert caught.value.code == "invalid_model_data"
    with pytest.raises(ApplicationError) as caught:
        ar_model_handler().save_from_data_url(
            product=product, uploaded_by=seller, model_data={"model_content": None, "filename": "x.glb"}
        )
    assert caught.value.code == "invalid_data_url"
    assert stored_files(product) == []


def test_gdpr_export_and_erasure(seller_client, seller, product, customer):
    upload_file(seller_client, product, make_glb(), name="mine.glb")
    ar_download_record(user=customer, device_id="phone", model=ARModel.objects.get())

    seller_section = gdpr.collect_sections(seller)["ar"]
    customer_section = gdpr.collect_sections(customer)["ar"]

    assert [item["filename"] for item in seller_section["uploaded_models"]] == ["mine.glb"]
    assert seller_section["downloads"] == []
    assert customer_section["uploaded_models"] == []
    assert [(item["device_id"], item["product_id"]) for item in customer_section["downloads"]] == [
        ("phone", product.pk)
    ]

    gdpr.run_erasers(customer)

    assert not ARModelDownload.objects.filter(user=customer).exists()
    assert ARModel.objects.filter(product=product).exists()
