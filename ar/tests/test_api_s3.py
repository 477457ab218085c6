"""Uploads, presigned direct uploads and download links against a real S3 API (moto server)."""

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from ar.models import ARModel, ARModelUpload
from ar.services import ar_orphan_files_delete, ar_upload_expire_stale
from ar.tasks import ar_storage_cleanup_task
from ar.tests.builders import JPEG_BYTES, make_glb, make_usdz
from ar.tests.helpers import assert_nothing_stored, upload_file
from designiaBackend.celery import app
from infrastructure.storage import private_storage

pytestmark = pytest.mark.django_db


def bucket_keys(s3, product):
    listing = s3.list_objects_v2(Bucket=s3.bucket, Prefix=f"private/ar/models/{product.pk}/")
    return sorted(item["Key"] for item in listing.get("Contents", []))


def bucket_bytes(s3, name):
    return s3.get_object(Bucket=s3.bucket, Key=f"private/{name}")["Body"].read()


def start_upload(client, product, data, model_format="glb", **overrides):
    body = {
        "format": model_format,
        "size": len(data),
        "checksum_sha256": hashlib.sha256(data).hexdigest(),
        "filename": f"chair.{model_format}",
        **overrides,
    }
    return client.post(f"/api/ar/models/{product.pk}/uploads/", body, format="json")


def put(ticket, data):
    headers = {**ticket["headers"], "Content-Length": str(len(data))}
    return requests.put(ticket["upload_url"], data=data, headers=headers, timeout=10)


def finish(client, ticket):
    return client.post(f"/api/ar/uploads/{ticket['upload_id']}/finish/")


def test_a_multipart_upload_lands_in_the_private_bucket_and_downloads(
    s3_storage, seller_client, api_client, product
):
    glb = make_glb(meshes=3)

    assert upload_file(seller_client, product, glb).status_code == 201

    model = ARModel.objects.get(product=product)
    assert bucket_keys(s3_storage, product) == [f"private/{model.storage_name}"]
    assert bucket_bytes(s3_storage, model.storage_name) == glb
    link = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=glb").json()
    assert link["url"].startswith(s3_storage.meta.endpoint_url)
    assert "X-Amz-Signature=" in link["url"]
    downloaded = requests.get(link["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == glb


def test_replacing_on_s3_deletes_the_old_object(s3_storage, seller_client, product):
    upload_file(seller_client, product, make_usdz(), name="a.usdz")
    upload_file(seller_client, product, make_usdz(), name="b.usdz")

    model = ARModel.objects.get(product=product)
    assert model.version == 2
    assert bucket_keys(s3_storage, product) == [f"private/{model.storage_name}"]


def test_bad_files_leave_nothing_in_the_bucket(s3_storage, seller_client, product):
    response = upload_file(seller_client, product, JPEG_BYTES, name="chair.glb")

    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_model_format"
    assert_nothing_stored(product)
    assert bucket_keys(s3_storage, product) == []


def test_a_download_link_is_signed_for_ten_minutes_from_now(s3_storage, seller_client, api_client, product):
    """moto's S3 server does not enforce X-Amz-Expires (checked in moto 5.2.5), so the window the
    URL is signed for is asserted here; real S3/MinIO refuse the URL with 403 once it has passed."""
    upload_file(seller_client, product, make_glb())
    frozen = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
    with time_machine.travel(frozen, tick=False):
        link = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=glb").json()

    query = parse_qs(urlparse(link["url"]).query)
    assert query["X-Amz-Date"] == ["20261124T120000Z"]
    assert query["X-Amz-Expires"] == ["600"]
    assert link["expires_in"] == 600
    assert link["expires_at"] == "2026-11-24T12:10:00Z"


# --- presigned direct uploads ----------------------------------------------------------------------


def test_a_presigned_upload_is_verified_and_becomes_the_model(
    s3_storage, seller_client, api_client, product, seller
):
    glb = make_glb(meshes=2, triangles_per_mesh=2)

    started = start_upload(seller_client, product, glb)

    assert started.status_code == 201
    ticket = started.json()
    assert ticket["method"] == "PUT"
    assert ticket["headers"] == {"Content-Type": "model/gltf-binary", "Content-Length": str(len(glb))}
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in ticket["upload_url"]
    assert put(ticket, glb).status_code == 200
    assert not ARModel.objects.filter(product=product).exists()

    finished = finish(seller_client, ticket)

    assert finished.status_code == 201
    assert finished.json()["vertex_count"] == 12
    assert finished.json()["checksum"] == hashlib.sha256(glb).hexdigest()
    model = ARModel.objects.get(product=product)
    assert model.uploaded_by == seller
    upload = ARModelUpload.objects.get(pk=ticket["upload_id"])
    assert upload.status == "completed"
    # The checked bytes are stored under a name of their own; the uploaded object is gone ...
    assert bucket_keys(s3_storage, product) == [f"private/{model.storage_name}"]
    assert bucket_bytes(s3_storage, model.storage_name) == glb
    # ... so a later PUT with the still valid upload URL cannot replace the model.
    swapped = make_glb(meshes=1, triangles_per_mesh=1)
    assert put({**ticket, "headers": ticket["headers"]}, swapped + b"\0" * (len(glb) - len(swapped))).ok
    link = api_client.get(f"/api/ar/models/{product.pk}/download-link/?format=glb").json()
    assert requests.get(link["url"], timeout=10).content == glb
    # That late object is referenced by nothing: the hourly sweep deletes it, not the model.
    assert ar_orphan_files_delete(now=timezone.now() + timedelta(hours=2)) == 1
    assert bucket_keys(s3_storage, product) == [f"private/{model.storage_name}"]

    again = finish(seller_client, ticket)
    assert again.status_code == 409
    assert again.json()["code"] == "upload_not_pending"


@pytest.mark.parametrize(
    ("announced", "uploaded", "code"),
    [
        (make_glb(), make_glb()[:-16], "upload_size_mismatch"),
        (make_glb(declared_length=9999), make_glb(declared_length=9999), "invalid_glb"),
        (JPEG_BYTES, JPEG_BYTES, "unsupported_model_format"),
    ],
)
def test_a_bad_presigned_upload_is_deleted_and_marked_failed(
    s3_storage, seller_client, product, announced, uploaded, code
):
    ticket = start_upload(seller_client, product, announced).json()
    put(ticket, uploaded)
    assert len(bucket_keys(s3_storage, product)) == 1

    response = finish(seller_client, ticket)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert bucket_keys(s3_storage, product) == []
    assert_nothing_stored(product)
    upload = ARModelUpload.objects.get(pk=ticket["upload_id"])
    assert upload.status == "failed"
    assert upload.failure_reason == response.json()["detail"]


def test_a_presigned_upload_with_another_checksum_is_refused(s3_storage, seller_client, product):
    glb = make_glb()
    ticket = start_upload(seller_client, product, glb, checksum_sha256="0" * 64).json()
    put(ticket, glb)

    response = finish(seller_client, ticket)

    assert response.status_code == 400
    assert response.json()["code"] == "upload_checksum_mismatch"
    assert bucket_keys(s3_storage, product) == []
    assert_nothing_stored(product)


def test_a_usdz_zip_bomb_through_a_presigned_upload_is_refused(s3_storage, seller_client, product):
    bomb = make_usdz([("scene.usda", b"#usda 1.0\n" + b" " * 10_000_000)], compression=8)
    ticket = start_upload(seller_client, product, bomb, model_format="usdz").json()
    put(ticket, bomb)

    response = finish(seller_client, ticket)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_usdz"
    assert bucket_keys(s3_storage, product) == []


def test_finishing_before_the_put_keeps_the_upload_pending(s3_storage, seller_client, product):
    glb = make_glb()
    ticket = start_upload(seller_client, product, glb).json()

    response = finish(seller_client, ticket)

    assert response.status_code == 400
    assert response.json()["code"] == "upload_missing"
    assert ARModelUpload.objects.get(pk=ticket["upload_id"]).status == "pending"
    put(ticket, glb)
    assert finish(seller_client, ticket).status_code == 201


def test_uploads_belong_to_their_seller(s3_storage, seller_client, auth_client, other_seller, product):
    glb = make_glb()
    ticket = start_upload(seller_client, product, glb).json()
    put(ticket, glb)

    response = auth_client(other_seller).post(f"/api/ar/uploads/{ticket['upload_id']}/finish/")
    assert response.status_code == 404
    response = start_upload(auth_client(other_seller), product, glb)
    assert response.status_code == 403
    assert ARModelUpload.objects.count() == 1


def test_start_validates_its_input(s3_storage, seller_client, product, settings):
    settings.AR_MODEL_MAX_SIZE = 1000
    response = start_upload(
        seller_client, product, make_glb(), size=1001, checksum_sha256="xyz", format="obj"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"size", "checksum_sha256", "format", "code"}
    assert not ARModelUpload.objects.exists()


def test_presigned_uploads_are_refused_with_local_storage(seller_client, product):
    response = start_upload(seller_client, product, make_glb())

    assert response.status_code == 400
    assert response.json()["code"] == "direct_upload_unavailable"
    assert "need S3/MinIO storage" in response.json()["detail"]
    assert not ARModelUpload.objects.exists()


def test_stale_pending_uploads_are_swept(
    s3_storage, seller_client, product, django_capture_on_commit_callbacks
):
    glb = make_glb()
    ticket = start_upload(seller_client, product, glb).json()
    put(ticket, glb)

    assert ar_upload_expire_stale() == 0
    with django_capture_on_commit_callbacks(execute=True):
        swept = ar_upload_expire_stale(now=timezone.now() + timedelta(hours=2))

    assert swept == 1
    assert ARModelUpload.objects.get(pk=ticket["upload_id"]).status == "failed"
    assert bucket_keys(s3_storage, product) == []


@pytest.mark.django_db(transaction=True)
def test_the_hourly_task_expires_stale_uploads_and_deletes_orphan_files(s3_storage, seller_client, product):
    glb, usdz = make_glb(), make_usdz()
    upload_file(seller_client, product, glb)  # a live model: kept
    model = ARModel.objects.get()
    ticket = start_upload(seller_client, product, usdz, model_format="usdz").json()
    put(ticket, usdz)  # never finished
    orphan = private_storage.save(f"ar/models/{product.pk}/rolled-back.glb", ContentFile(glb))
    assert len(bucket_keys(s3_storage, product)) == 3
    assert app.conf.beat_schedule["ar-storage-cleanup"]["task"] == ar_storage_cleanup_task.name

    assert ar_storage_cleanup_task.delay().get() == {"expired_uploads": 0, "orphan_files": 0}
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        result = ar_storage_cleanup_task.delay().get()

    assert result == {"expired_uploads": 1, "orphan_files": 1}
    assert bucket_keys(s3_storage, product) == [f"private/{model.storage_name}"]
    assert not private_storage.exists(orphan)
    assert ARModelUpload.objects.get(pk=ticket["upload_id"]).status == "failed"
