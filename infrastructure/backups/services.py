"""``backup_create`` and ``backup_restore``: the two operations behind `make backup` and `make restore`."""

import logging
import tempfile
from pathlib import Path

from infrastructure.backups.archive import (
    ArchiveReader,
    ArchiveWriter,
    BackupError,
    Manifest,
    archive_name,
    prune,
)
from infrastructure.backups.database import (
    database_dump,
    database_is_empty,
    database_restore,
    dump_file_name,
    engine,
)
from infrastructure.backups.media import media_files, media_is_empty, media_open, media_restore

logger = logging.getLogger(__name__)


def backup_create(*, output_dir: Path, keep: int) -> tuple[Path, Manifest]:
    """Write a new archive into ``output_dir``, then keep only its ``keep`` newest archives."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / archive_name()
    database_engine = engine()
    writer = ArchiveWriter(path, database_engine)
    try:
        with tempfile.TemporaryDirectory() as directory:
            dump = Path(directory) / dump_file_name(database_engine)
            database_dump(dump)
            with open(dump, "rb") as stream:
                writer.add(dump.name, stream, dump.stat().st_size)
        for alias, name, size in media_files():
            with media_open(alias, name) as stream:
                writer.add(f"media/{alias}/{name}", stream, size, storage=alias, name=name)
        manifest = writer.close()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    removed = prune(output_dir, keep)
    logger.info(
        "Backup %s written (%s media files); %s old archives removed", path, len(manifest.media), len(removed)
    )
    return path, manifest


def backup_restore(*, archive: Path) -> Manifest:
    """Restore ``archive`` into the configured database and storages, which must be empty.

    Every checksum is verified and the targets are checked before anything is written.
    """
    reader = ArchiveReader(archive)
    try:
        if not database_is_empty():
            raise BackupError("The database is not empty: restore into a new, empty one.")
        if not media_is_empty():
            raise BackupError("The media storage is not empty: restore into a new, empty one.")
        manifest = reader.manifest
        database_restore(reader.open(manifest.database.path), manifest.database_engine)
        for member, stream in reader.media():
            media_restore(member.storage, member.name, stream)
    finally:
        reader.close()
    logger.info("Backup %s restored (%s media files)", archive, len(manifest.media))
    return manifest
