"""Storing, replacing and deleting a product's 3D models.

The file is validated by content before anything is written, stored under a fresh random name
in private storage, and the row is created or updated under a row lock. A replaced or deleted
file is removed from storage only after the transaction commits; a file stored for a write
that then fails is removed at once.
"""

import io
import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from ar.lock_objects import ar_model_for_update, ar_models_for_update
from ar.models import ARModel
from ar.validation import inspect_model
from designiaBackend.api.after_commit import best_effort
from designiaBackend.errors import ConflictError
from infrastructure.images import decode_data_url
from infrastructure.storage import private_storage


def model_storage_name(*, product, model_format):
    return f"ar/models/{product.pk}/{uuid.uuid4().hex}.{model_format}"


def display_filename(filename, model_format):
    """The uploader's file name, made safe, with the extension of the real format."""
    name = PurePosixPath(str(filename or "").replace("\\", "/")).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-")[:100] or "model"
    return f"{stem}.{model_format}"


def _delete_file_on_commit(name):
    best_effort(lambda: private_storage.delete(name), what="file_delete")


def ar_model_put(*, product, info, storage_name, filename, uploaded_by):
    """Create or replace the product's model in ``info.format``; the file is already stored.

    Must run inside a transaction. Returns ``(model, created)``.
    """
    model = ar_model_for_update(product_id=product.pk, model_format=info.format)
    fields = {
        "storage_name": storage_name,
        "original_filename": display_filename(filename, info.format),
        "size": info.size,
        "checksum": info.checksum,
        "vertex_count": info.vertex_count,
        "mesh_count": info.mesh_count,
        "uploaded_by": uploaded_by,
    }
    if model is None:
        try:
            with transaction.atomic():
                return ARModel.objects.create(product=product, format=info.format, **fields), True
        except IntegrityError as exc:
            raise ConflictError(
                "Another upload of this model finished at the same moment. Please try again.",
                code="ar_model_conflict",
            ) from exc
    old_name = model.storage_name
    for field, value in fields.items():
        setattr(model, field, value)
    model.version += 1
    model.save()
    _delete_file_on_commit(old_name)
    return model, False


@transaction.atomic
def ar_model_store(*, product, uploaded_by, file, filename, expected_format=None):
    """Validate ``file`` (seekable, binary) and store it as the product's model in its format.

    Returns ``(model, created)``; raises ``InvalidModelError`` with nothing stored.
    """
    info = inspect_model(file, max_size=settings.AR_MODEL_MAX_SIZE, expected_format=expected_format)
    name = private_storage.save(model_storage_name(product=product, model_format=info.format), File(file))
    try:
        return ar_model_put(
            product=product, info=info, storage_name=name, filename=filename, uploaded_by=uploaded_by
        )
    except Exception:
        private_storage.delete(name)
        raise


def ar_model_store_from_data_url(*, product, uploaded_by, model_content, filename, expected_format=None):
    """The product form's ``model_data`` (contract E48/E49): a base64 data URL and a file name."""
    data = decode_data_url(model_content, max_bytes=settings.AR_MODEL_MAX_SIZE)
    return ar_model_store(
        product=product,
        uploaded_by=uploaded_by,
        file=io.BytesIO(data),
        filename=filename,
        expected_format=expected_format,
    )


@transaction.atomic
def ar_model_delete(*, product, model_format=None):
    """Delete the product's model in one format, or all of them; returns how many were deleted."""
    models = ar_models_for_update(product_id=product.pk, model_format=model_format)
    names = [model.storage_name for model in models]
    ARModel.objects.filter(storage_name__in=names).delete()
    for name in names:
        _delete_file_on_commit(name)
    return len(names)
