"""File storage: public media (``default``) and private files (``private``), local or S3/MinIO.

Callers never build URLs themselves: ``public_url`` returns an absolute URL a browser can load
(the bucket URL, a presigned URL or this server's ``/media/``), ``private_url`` a short-lived
link to a private file (a presigned S3 URL, or a signed download URL served by this server).
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, empty

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage

PRIVATE_DOWNLOAD_SALT = "infrastructure.storage.private-download"
# Without PUBLIC_BASE_URL, links built while serving a request start with that request's
# scheme and host (``MediaBaseUrlMiddleware``); outside a request (tasks, commands) with this.
DEFAULT_BASE_URL = "http://localhost:8000"
_request_base_url: ContextVar[str | None] = ContextVar("media_request_base_url", default=None)


def base_url() -> str:
    """``PUBLIC_BASE_URL`` when set, else the current request's ``scheme://host``, else the default."""
    return settings.PUBLIC_BASE_URL or _request_base_url.get() or DEFAULT_BASE_URL


class MediaBaseUrlMiddleware:
    """Remembers the request's ``scheme://host`` for ``base_url()`` while the request is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request_base_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_base_url.reset(token)


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use (and again after a settings change)."""

    _wrapped: object  # the storage, or ``empty`` until it is looked up

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = _PrivateStorage()
# What the lazy object stands for: it forwards every attribute to the storage.
private_storage = cast(Storage, _private)


def private_s3_storage() -> "S3Storage":
    """The private storage as the S3 backend it is when ``USE_S3`` (presigned URLs, the bucket)."""
    return cast("S3Storage", _private)


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STORAGES", "PRIVATE_MEDIA_ROOT"):
        _private._wrapped = empty


def absolute(url: str | None) -> str | None:
    """Make a storage URL absolute (local storage answers with a path such as /media/...)."""
    if not url:
        return None
    if url.startswith(("http://", "https://")):
        return url
    return f"{base_url()}{url}"


def public_url(file_or_name: Any, storage: Storage | None = None) -> str | None:
    """Absolute, browser-loadable URL of a public media file, or None when there is none."""
    name = getattr(file_or_name, "name", file_or_name)
    if not name:
        return None
    storage = storage or default_storage
    if isinstance(storage, FileSystemStorage):
        # What FileSystemStorage.url returns, without urljoin's parsing (a tenth of a product
        # page's CPU): stored names never hold "." or ".." segments for urljoin to resolve.
        return absolute(storage.base_url + filepath_to_uri(name).lstrip("/"))
    return absolute(storage.url(name))


def private_url(name: str | None, expires_in: int | None = None) -> str | None:
    """A short-lived absolute link to a file in private storage."""
    if not name:
        return None
    expires_in = expires_in or settings.PRIVATE_URL_EXPIRE_SECONDS
    if settings.USE_S3:
        return str(private_s3_storage().url(name, expire=expires_in))
    token = signing.dumps({"name": name, "ttl": expires_in}, salt=PRIVATE_DOWNLOAD_SALT)
    return absolute(reverse("private-download", kwargs={"token": token}))


def private_name_from_token(token: str) -> str | None:
    """The file name a signed local download token grants, or None if forged or expired."""
    try:
        data = signing.loads(token, salt=PRIVATE_DOWNLOAD_SALT)
        signing.loads(token, salt=PRIVATE_DOWNLOAD_SALT, max_age=int(data["ttl"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None
