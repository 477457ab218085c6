from celery import shared_task

from ar.services import ar_orphan_files_delete, ar_upload_expire_stale


@shared_task(name="ar.tasks.ar_storage_cleanup_task")
def ar_storage_cleanup_task():
    """Fail presigned uploads never finished, then delete model files nothing refers to."""
    return {"expired_uploads": ar_upload_expire_stale(), "orphan_files": ar_orphan_files_delete()}
