"""GDPR data exports: at most one per user per ``GDPR_EXPORT_INTERVAL_HOURS``.

Each export is a Celery task, an archive in private storage and an e-mail, so a request inside
the window is refused (429) with the time of the next allowed export and, while it is valid, a
fresh link to the last archive.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from authentication.exceptions import ExportLimitError
from authentication.lock_objects import user_for_update
from authentication.models import DataExport, User
from designiaBackend.api.after_commit import must_happen
from infrastructure.storage import private_storage, private_url


def _archive_link(export: DataExport, now: datetime) -> tuple[str | None, datetime | None]:
    """A link to ``export``'s archive valid as long as the e-mailed one, or ``(None, None)``."""
    if export.completed_at is None or not export.archive_name:
        return None, None
    expires_at = export.completed_at + timedelta(seconds=settings.GDPR_EXPORT_URL_EXPIRE_SECONDS)
    remaining = int((expires_at - now).total_seconds())
    if remaining <= 0:
        return None, None
    return private_url(export.archive_name, expires_in=remaining), expires_at


def _limit_error(last: DataExport, next_allowed_at: datetime, now: datetime) -> ExportLimitError:
    link, expires_at = _archive_link(last, now)
    hours = settings.GDPR_EXPORT_INTERVAL_HOURS
    message = (
        f"You can ask for one data export every {hours} hours. "
        f"The next one is possible from {next_allowed_at:%Y-%m-%d %H:%M} UTC."
    )
    extra: dict[str, Any] = {
        "next_allowed_at": next_allowed_at.isoformat(),
        "download_url": link,
        "download_expires_at": expires_at.isoformat() if expires_at else None,
    }
    error = ExportLimitError(message, extra=extra)
    error.headers = {"Retry-After": str(max(1, int((next_allowed_at - now).total_seconds())))}
    return error


@transaction.atomic
def gdpr_export_request(*, user: User) -> DataExport:
    """Record the export and queue its task after the commit; 429 inside the window."""
    from authentication.tasks import gdpr_export_task

    user_for_update(user.pk)  # one request per user at a time
    now = timezone.now()
    last = DataExport.objects.filter(user=user).first()
    if last is not None:
        next_allowed_at = last.requested_at + timedelta(hours=settings.GDPR_EXPORT_INTERVAL_HOURS)
        if now < next_allowed_at:
            raise _limit_error(last, next_allowed_at, now)
    export = DataExport.objects.create(user=user, requested_at=now)
    must_happen(
        gdpr_export_task,
        kwargs={"user_id": str(user.pk), "export_id": export.pk},
        key=f"gdpr-export-{export.pk}",
    )
    return export


def data_export_complete(*, export_id: int | None, archive_name: str) -> None:
    """The task wrote the archive: its link can be handed out again until it expires."""
    if export_id is not None:
        DataExport.objects.filter(pk=export_id).update(completed_at=timezone.now(), archive_name=archive_name)


def data_export_release(*, export_id: int | None, archive_name: str | None = None) -> None:
    """The export's task failed: forget the export, and any archive it wrote, so the 24-hour window
    it opened is released and the user may ask again at once (no archive and no e-mail came of it)."""
    names = {archive_name}
    with transaction.atomic():
        export = DataExport.objects.filter(pk=export_id).first() if export_id is not None else None
        if export is not None:
            names.add(export.archive_name)
            export.delete()
    for name in filter(None, names):  # after the row is gone: no link to a missing file is handed out
        private_storage.delete(name)


def data_exports_delete(*, user: User) -> list[str]:
    """Forget the user's exports (account deletion); returns the archives' names to delete."""
    exports = DataExport.objects.filter(user=user)
    names = [name for name in exports.values_list("archive_name", flat=True) if name]
    exports.delete()
    return names
