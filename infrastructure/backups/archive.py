"""The archive: a tar.gz with a manifest of SHA-256 checksums, and its own checksum file beside it."""

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NAME_PREFIX = "designia-backup-"
SUFFIX = ".tar.gz"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive is unreadable, does not match its checksums, or the target is not empty."""


@dataclass
class Member:
    path: str  # inside the archive
    size: int
    sha256: str
    storage: str = ""  # media only: the storage alias and the file's name in it
    name: str = ""


@dataclass
class Manifest:
    created_at: str
    database_engine: str
    database: Member
    media: list[Member] = field(default_factory=list)
    format: int = FORMAT_VERSION

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        data = json.loads(raw)
        if data.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unknown backup format {data.get('format')!r}.")
        return cls(
            created_at=data["created_at"],
            database_engine=data["database_engine"],
            database=Member(**data["database"]),
            media=[Member(**item) for item in data["media"]],
        )


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def archive_name(now: datetime | None = None) -> str:
    moment = (now or datetime.now(tz=UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{NAME_PREFIX}{moment}{SUFFIX}"


def checksum_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


class ArchiveWriter:
    """Adds files and streams to a new archive; ``close`` writes the manifest and the checksum file."""

    def __init__(self, path: Path, database_engine: str) -> None:
        self.path = path
        self.database_engine = database_engine
        self.members: list[Member] = []
        self._tar = tarfile.open(path, "w:gz")  # noqa: SIM115 - closed by close()

    def add(self, path: str, stream: IO[bytes], size: int, **labels: str) -> Member:
        """Add ``size`` bytes read from ``stream`` (hashed on the way) as ``path``."""
        hashing = _HashingReader(stream)
        info = tarfile.TarInfo(path)
        info.size, info.mtime = size, int(datetime.now(tz=UTC).timestamp())
        self._tar.addfile(info, hashing)
        member = Member(path=path, size=size, sha256=hashing.hexdigest(), **labels)
        self.members.append(member)
        return member

    def close(self) -> Manifest:
        database, *media = self.members
        manifest = Manifest(
            created_at=datetime.now(tz=UTC).isoformat(),
            database_engine=self.database_engine,
            database=database,
            media=media,
        )
        raw = json.dumps(asdict(manifest), indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(raw)
        self._tar.addfile(info, io.BytesIO(raw))
        self._tar.close()
        with open(self.path, "rb") as handle:
            digest, _ = sha256_of(handle)
        checksum_path(self.path).write_text(f"{digest}  {self.path.name}\n")
        return manifest


class _HashingReader(io.RawIOBase):
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


class ArchiveReader:
    """Opens an archive after checking it against its ``.sha256`` file and every member against the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._verify_archive_checksum()
        self._tar = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by close()
        self.manifest = Manifest.from_json(self._read(MANIFEST))
        for member in [self.manifest.database, *self.manifest.media]:
            digest, size = sha256_of(self.open(member.path))
            if (digest, size) != (member.sha256, member.size):
                raise BackupError(f"{member.path} does not match the manifest's checksum.")

    def _verify_archive_checksum(self) -> None:
        sidecar = checksum_path(self.path)
        if not sidecar.is_file():
            raise BackupError(f"{sidecar.name} is missing: the archive cannot be verified.")
        expected = sidecar.read_text().split()[0]
        with open(self.path, "rb") as handle:
            actual, _ = sha256_of(handle)
        if actual != expected:
            raise BackupError(f"{self.path.name} does not match {sidecar.name}.")

    def _read(self, path: str) -> bytes:
        return self.open(path).read()

    def open(self, path: str) -> IO[bytes]:
        try:
            stream = self._tar.extractfile(path)
        except KeyError:
            raise BackupError(f"{path} is missing from the archive.") from None
        if stream is None:
            raise BackupError(f"{path} is not a file.")
        return stream

    def media(self) -> Iterator[tuple[Member, IO[bytes]]]:
        for member in self.manifest.media:
            yield member, self.open(member.path)

    def close(self) -> None:
        self._tar.close()


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives (and their checksum files); returns the deleted."""
    archives = sorted(directory.glob(f"{NAME_PREFIX}*{SUFFIX}"), reverse=True)  # dated names sort by time
    removed = archives[keep:]
    for archive in removed:
        archive.unlink()
        checksum_path(archive).unlink(missing_ok=True)
    return removed


def describe(manifest: Manifest) -> dict[str, Any]:
    return {
        "created_at": manifest.created_at,
        "database": manifest.database_engine,
        "media_files": len(manifest.media),
        "media_bytes": sum(member.size for member in manifest.media),
    }
