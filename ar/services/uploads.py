"""Presigned direct-to-storage uploads of large models.

``ar_upload_start`` records the expected size and SHA-256 and returns a presigned PUT URL for a
fresh private object. The client PUTs the file to storage, then ``ar_upload_finish`` checks what
arrived (size, checksum, content) and stores exactly the bytes it checked under a new name as the
product's model (the upload URL stays valid until it expires: whatever is PUT there later never
becomes the model); an object that fails any check is deleted and the upload marked failed.
Uploads never finished are swept by ``ar_upload_expire_stale`` (a periodic task).
"""

import shutil
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ar.exceptions import (
    DirectUploadUnavailableError,
    InvalidModelError,
    ModelTooLargeError,
    UploadStateError,
)
from ar.lock_objects import ar_upload_for_update
from ar.models import ARModelUpload
from ar.services.models import ar_model_put, model_storage_name
from ar.validation import CONTENT_TYPES, inspect_model
from designiaBackend.api.after_commit import best_effort
from infrastructure.storage import private_storage
from infrastructure.storage.direct_upload import direct_upload_supported, presign_private_upload

# How long after its URL expired a pending upload's object is kept before the sweep deletes it.
STALE_UPLOAD_GRACE = timedelta(hours=1)


@transaction.atomic
def ar_upload_start(*, product, uploaded_by, model_format, size, checksum, filename):
    """Record an upload and return ``(upload, presigned)``; refused without S3 storage."""
    if not direct_upload_supported():
        raise DirectUploadUnavailableError()
    if size > settings.AR_MODEL_MAX_SIZE:
        raise ModelTooLargeError(f"The model is larger than {settings.AR_MODEL_MAX_SIZE} bytes.")
    expires_in = settings.PRIVATE_URL_EXPIRE_SECONDS
    upload = ARModelUpload.objects.create(
        product=product,
        format=model_format,
        storage_name=model_storage_name(product=product, model_format=model_format),
        original_filename=(filename or "")[:255],
        expected_size=size,
        expected_checksum=checksum.lower(),
        uploaded_by=uploaded_by,
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
    presigned = presign_private_upload(
        upload.storage_name,
        content_length=size,
        content_type=CONTENT_TYPES[model_format],
        expires_in=expires_in,
    )
    return upload, presigned


def _mark_failed(upload, reason):
    """Mark the upload failed (committed on its own) and delete what was uploaded."""
    with transaction.atomic():
        updated = ARModelUpload.objects.filter(pk=upload.pk, status=ARModelUpload.Status.PENDING).update(
            status=ARModelUpload.Status.FAILED, failure_reason=reason[:300], finished_at=timezone.now()
        )
        if updated:
            name = upload.storage_name
            best_effort(lambda: private_storage.delete(name), what="file_delete")


def _size_mismatch(upload, size):
    return InvalidModelError(
        f"The uploaded file has {size} bytes, not the {upload.expected_size} announced.",
        code="upload_size_mismatch",
    )


def _verify_copy(upload, file):
    """Check ``file`` (the local copy of the uploaded object) against the upload's promises."""
    size = file.seek(0, 2)
    file.seek(0)
    if size != upload.expected_size:
        raise _size_mismatch(upload, size)
    info = inspect_model(file, max_size=settings.AR_MODEL_MAX_SIZE, expected_format=upload.format)
    if info.checksum != upload.expected_checksum:
        raise InvalidModelError(
            "The uploaded file's SHA-256 checksum does not match the one announced.",
            code="upload_checksum_mismatch",
        )
    return info


def ar_upload_finish(*, upload):
    """Verify the uploaded object and make it the product's model; returns ``(model, created)``."""
    if upload.status != ARModelUpload.Status.PENDING:
        raise UploadStateError()
    if not private_storage.exists(upload.storage_name):
        raise InvalidModelError(
            "Nothing has been uploaded yet: PUT the file to the upload URL first.", code="upload_missing"
        )
    # Outside the transaction: the object is read once into a local copy, checked, and that copy
    # is stored under a new name, so no later PUT to the upload URL can replace checked bytes.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as copy:
        try:
            size = private_storage.size(upload.storage_name)
            if size != upload.expected_size:  # before downloading anything
                raise _size_mismatch(upload, size)
            with private_storage.open(upload.storage_name, "rb") as uploaded:
                shutil.copyfileobj(uploaded, copy)
            info = _verify_copy(upload, copy)
        except InvalidModelError as error:
            _mark_failed(upload, error.message)
            raise
        name = private_storage.save(
            model_storage_name(product=upload.product, model_format=info.format), File(copy)
        )
    try:
        with transaction.atomic():
            locked = ar_upload_for_update(upload.pk)
            if locked.status != ARModelUpload.Status.PENDING:
                raise UploadStateError()
            result = ar_model_put(
                product=upload.product,
                info=info,
                storage_name=name,
                filename=upload.original_filename,
                uploaded_by=upload.uploaded_by,
            )
            locked.status = ARModelUpload.Status.COMPLETED
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "finished_at"])
            uploaded_name = upload.storage_name
            best_effort(lambda: private_storage.delete(uploaded_name), what="file_delete")
    except BaseException:
        private_storage.delete(name)
        raise
    return result


def ar_upload_expire_stale(*, now=None):
    """Fail pending uploads whose URL expired over an hour ago and delete their objects."""
    cutoff = (now or timezone.now()) - STALE_UPLOAD_GRACE
    stale = ARModelUpload.objects.filter(status=ARModelUpload.Status.PENDING, expires_at__lt=cutoff)
    count = 0
    for upload in stale.order_by("pk").iterator():
        with transaction.atomic():
            updated = ARModelUpload.objects.filter(pk=upload.pk, status=ARModelUpload.Status.PENDING).update(
                status=ARModelUpload.Status.FAILED,
                failure_reason="The upload was never finished.",
                finished_at=timezone.now(),
            )
            if updated:
                name = upload.storage_name
                best_effort(lambda name=name: private_storage.delete(name), what="file_delete")
                count += 1
    return count
