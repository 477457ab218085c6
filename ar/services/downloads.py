"""Download bookkeeping for the mobile app, and the user's AR data for GDPR export and erasure."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ar.lock_objects import ar_download_for_update
from ar.models import ARModel, ARModelDownload


def _bump(record, *, version, checksum, now):
    ARModelDownload.objects.filter(pk=record.pk).update(
        version=version, checksum=checksum, download_count=F("download_count") + 1, last_downloaded_at=now
    )
    record.refresh_from_db()
    return record


@transaction.atomic
def ar_download_record(*, user, device_id, model, version=None, checksum=None):
    """Record that ``device_id`` of ``user`` now holds ``model`` (by default its current version).

    Returns ``(record, created)``. One record per user, device, product and format; a repeated
    download updates it and counts once more.
    """
    version = version if version is not None else model.version
    checksum = (checksum or model.checksum).lower()
    now = timezone.now()
    key = {"user": user, "device_id": device_id, "product_id": model.product_id, "format": model.format}
    lock = {
        "user": user,
        "device_id": device_id,
        "product_id": model.product_id,
        "model_format": model.format,
    }
    record = ar_download_for_update(**lock)
    if record is not None:
        return _bump(record, version=version, checksum=checksum, now=now), False
    try:
        with transaction.atomic():
            created = ARModelDownload.objects.create(
                **key, version=version, checksum=checksum, last_downloaded_at=now
            )
            return created, True
    except IntegrityError:  # the same device reported twice at once: count it on the winner's row
        record = ar_download_for_update(**lock, must_exist=True)
        return _bump(record, version=version, checksum=checksum, now=now), False


def export_ar_data(user):
    """The user's AR section of the GDPR export: models they uploaded and their downloads."""
    uploads = ARModel.objects.filter(uploaded_by=user).select_related("product").order_by("pk")
    downloads = ARModelDownload.objects.filter(user=user).select_related("product").order_by("pk")
    return {
        "uploaded_models": [
            {
                "product_id": model.product_id,
                "product_name": model.product.name,
                "format": model.format,
                "filename": model.original_filename,
                "size": model.size,
                "checksum": model.checksum,
                "version": model.version,
                "created_at": model.created_at.isoformat(),
                "updated_at": model.updated_at.isoformat(),
            }
            for model in uploads
        ],
        "downloads": [
            {
                "product_id": record.product_id,
                "product_name": record.product.name,
                "format": record.format,
                "device_id": record.device_id,
                "version": record.version,
                "checksum": record.checksum,
                "download_count": record.download_count,
                "first_downloaded_at": record.first_downloaded_at.isoformat(),
                "last_downloaded_at": record.last_downloaded_at.isoformat(),
            }
            for record in downloads
        ],
    }


def erase_ar_downloads(user):
    """Account deletion: the device ids and download history go; uploaded models stay with the product."""
    ARModelDownload.objects.filter(user=user).delete()
