"""End to end on a running server (daphne) with S3 storage (moto): a seller uploads a generated GLB,
and the mobile app's flow finds it, gets a working download link and reports the download."""

import hashlib

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from ar.tests.builders import make_glb
from ar.tests.factories import MobileAppReleaseFactory, ProductFactory
from authentication.tests.factories import SellerFactory, UserFactory
from conftest import start_daphne


def bearer(user):
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture
def s3_server_process(s3_storage, transactional_db):
    server = start_daphne(
        {
            "AWS_STORAGE_BUCKET_NAME": s3_storage.bucket,
            "AWS_S3_ENDPOINT_URL": s3_storage.meta.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    yield server
    server.stop()


@pytest.mark.live_server_process
def test_a_seller_uploads_a_glb_and_the_app_downloads_it(s3_server_process, s3_storage):
    base = s3_server_process.http_url
    seller, shopper = SellerFactory(), UserFactory()
    product = ProductFactory(seller=seller)
    MobileAppReleaseFactory(platform="android", latest_version="3.1.0", minimum_version="3.0.0")
    glb = make_glb(meshes=2, triangles_per_mesh=8)

    uploaded = requests.post(
        f"{base}/api/ar/models/{product.pk}/",
        files={"file": ("sofa.glb", glb, "model/gltf-binary")},
        headers=bearer(seller),
        timeout=20,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["vertex_count"] == 48

    version = requests.get(
        f"{base}/api/system/app-version-check/",
        params={"platform": "android", "version": "3.0.2"},
        timeout=10,
    ).json()
    assert (version["update_available"], version["update_required"]) == (True, False)
    catalogue = requests.get(f"{base}/api/ar/products/", timeout=10).json()
    assert [item["id"] for item in catalogue["results"]] == [str(product.pk)]
    metadata = requests.get(f"{base}/api/ar/models/{product.pk}/", timeout=10)
    assert metadata.json()["formats"] == ["glb"]
    unchanged = requests.get(
        f"{base}/api/ar/models/{product.pk}/", headers={"If-None-Match": metadata.headers["ETag"]}, timeout=10
    )
    assert unchanged.status_code == 304

    link = requests.get(
        f"{base}/api/ar/models/{product.pk}/download-link/", params={"format": "glb"}, timeout=10
    ).json()
    downloaded = requests.get(link["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == glb
    assert hashlib.sha256(downloaded.content).hexdigest() == link["checksum"]

    reported = requests.post(
        f"{base}/api/ar/downloads/",
        json={
            "product_id": str(product.pk),
            "format": "glb",
            "device_id": "pixel-9",
            "checksum": link["checksum"],
        },
        headers=bearer(shopper),
        timeout=10,
    )
    assert reported.status_code == 201
    assert reported.json()["is_up_to_date"] is True
