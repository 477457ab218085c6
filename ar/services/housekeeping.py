"""Hourly storage housekeeping: files no model or pending upload refers to are deleted.

A model file is written before its row; if the surrounding transaction then rolls back (e.g. a
product form whose outer transaction fails after the model was stored) or the process dies,
the file is left behind. This sweep finds such files by listing ``ar/models/<product_id>/`` and
deletes those that are unreferenced and older than an hour, so in-flight writes are never hit.
"""

from datetime import timedelta

from django.utils import timezone

from ar.models import ARModel, ARModelUpload
from infrastructure.storage import private_storage

MODELS_PREFIX = "ar/models"
MIN_ORPHAN_AGE = timedelta(hours=1)


def _listdir(path):
    try:
        return private_storage.listdir(path)
    except FileNotFoundError:
        return [], []


def _referenced_names(product_id):
    models = ARModel.objects.filter(product_id=product_id).values_list("storage_name", flat=True)
    uploads = ARModelUpload.objects.filter(
        product_id=product_id, status=ARModelUpload.Status.PENDING
    ).values_list("storage_name", flat=True)
    return set(models) | set(uploads)


def ar_orphan_files_delete(*, now=None):
    """Delete unreferenced model files older than an hour; returns how many were deleted."""
    cutoff = (now or timezone.now()) - MIN_ORPHAN_AGE
    deleted = 0
    directories, _ = _listdir(MODELS_PREFIX)
    for directory in sorted(directories):
        if not directory.isdigit():
            continue
        referenced = _referenced_names(int(directory))
        for filename in _listdir(f"{MODELS_PREFIX}/{directory}")[1]:
            name = f"{MODELS_PREFIX}/{directory}/{filename}"
            if name in referenced or private_storage.get_modified_time(name) > cutoff:
                continue
            private_storage.delete(name)
            deleted += 1
    return deleted
