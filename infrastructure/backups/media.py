"""The media's part of a backup: every file of the ``default`` and ``private`` storages, listed and
read through Django's storage API, so a local folder and an S3/MinIO bucket are backed up alike."""

from collections.abc import Iterator
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages

from infrastructure.backups.archive import BackupError

STORAGE_ALIASES = ("default", "private")


def storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in ``storage``, recursively, in a stable order."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a local storage whose folder was never created
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from storage_files(storage, f"{directory}/{sub}" if directory else sub)


def media_files() -> Iterator[tuple[str, str, int]]:
    """``(storage alias, name, size)`` of every stored file."""
    for alias in STORAGE_ALIASES:
        storage = storages[alias]
        for name in storage_files(storage):
            yield alias, name, storage.size(name)


def media_open(alias: str, name: str) -> IO[bytes]:
    return storages[alias].open(name, "rb")


def media_is_empty() -> bool:
    return next(media_files(), None) is None


def media_restore(alias: str, name: str, stream: IO[bytes]) -> None:
    """Store ``stream`` under its original ``name`` (the database rows point at it)."""
    if alias not in STORAGE_ALIASES:
        raise BackupError(f"Unknown storage {alias!r} in the archive.")
    saved = storages[alias].save(name, File(stream, name=name))
    if saved != name:
        raise BackupError(f"{alias}:{name} was stored as {saved}: the storage was not empty.")
