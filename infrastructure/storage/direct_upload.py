"""Presigned direct uploads into private S3/MinIO storage.

A client PUTs a large file straight to the bucket with a short-lived URL; the server then
checks what arrived through the ordinary storage API (``private_storage.size/open/delete``).
The URL signs ``Content-Length`` and ``Content-Type``, so S3 refuses a body of another size.
Only S3-compatible storage can do this; local storage reports ``direct_upload_supported() is False``.
"""

import posixpath
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from infrastructure.storage import private_s3_storage, private_storage


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    method: str
    expires_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


def direct_upload_supported() -> bool:
    return bool(settings.USE_S3)


def _object_key(name: str) -> str:
    location = (getattr(private_storage, "location", "") or "").strip("/")
    return posixpath.join(location, name) if location else name


def presign_private_upload(
    name: str, *, content_length: int, content_type: str, expires_in: int
) -> PresignedUpload:
    """A presigned PUT URL that stores exactly ``content_length`` bytes as private file ``name``."""
    if not direct_upload_supported():
        raise RuntimeError("Presigned uploads need S3-compatible storage.")
    storage = private_s3_storage()
    client: Any = storage.connection.meta.client
    url = client.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": _object_key(name),
            "ContentLength": content_length,
            "ContentType": content_type,
        },
        ExpiresIn=expires_in,
        HttpMethod="PUT",
    )
    return PresignedUpload(
        url=url,
        method="PUT",
        expires_at=timezone.now() + timedelta(seconds=expires_in),
        headers={"Content-Type": content_type, "Content-Length": str(content_length)},
    )
