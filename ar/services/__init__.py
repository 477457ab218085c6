"""Writes of the AR app, split by sub-domain; import from here."""

from ar.services.downloads import ar_download_record, erase_ar_downloads, export_ar_data
from ar.services.housekeeping import ar_orphan_files_delete
from ar.services.models import ar_model_delete, ar_model_store, ar_model_store_from_data_url
from ar.services.releases import app_releases_seed_demo
from ar.services.uploads import ar_upload_expire_stale, ar_upload_finish, ar_upload_start

__all__ = [
    "app_releases_seed_demo",
    "ar_download_record",
    "ar_model_delete",
    "ar_model_store",
    "ar_model_store_from_data_url",
    "ar_orphan_files_delete",
    "ar_upload_expire_stale",
    "ar_upload_finish",
    "ar_upload_start",
    "erase_ar_downloads",
    "export_ar_data",
]
