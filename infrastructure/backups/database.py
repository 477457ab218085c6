"""The database's part of a backup: ``mariadb-dump --single-transaction`` (one consistent snapshot
of InnoDB without locking the shop) on MySQL/MariaDB, ``dumpdata`` on SQLite."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.management import call_command
from django.db import connection

from infrastructure.backups.archive import BackupError

MYSQL = "mysql"
SQLITE = "sqlite"
DUMP_TIMEOUT_SECONDS = 3600
# Rebuilt by `migrate` on a restore; a dump of them would clash with the new rows.
DUMPDATA_EXCLUDE = ("contenttypes", "auth.permission", "sessions")


def engine() -> str:
    vendor = connection.vendor
    if vendor not in (MYSQL, SQLITE):
        raise BackupError(f"Backups support MySQL/MariaDB and SQLite, not {vendor}.")
    return vendor


def dump_file_name(database_engine: str) -> str:
    return "database.sql" if database_engine == MYSQL else "database.json"


def _client(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise BackupError(f"None of {', '.join(names)} is installed.")


def _mysql_arguments() -> tuple[list[str], dict[str, str]]:
    settings: dict[str, Any] = connection.settings_dict
    arguments = [f"--host={settings['HOST'] or '127.0.0.1'}", f"--port={settings['PORT'] or 3306}"]
    arguments += [f"--user={settings['USER']}", "--default-character-set=utf8mb4"]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["MYSQL_PWD"] = str(settings["PASSWORD"])  # not on the command line, where ps shows it
    return arguments, env


def database_dump(target: Path) -> None:
    """Write the whole database to ``target``."""
    if engine() == SQLITE:
        with open(target, "w") as handle:
            call_command("dumpdata", exclude=list(DUMPDATA_EXCLUDE), natural_foreign=True, stdout=handle)
        return
    arguments, env = _mysql_arguments()
    command = [_client("mariadb-dump", "mysqldump"), *arguments, "--single-transaction", "--quick"]
    command += [
        "--routines",
        "--triggers",
        "--hex-blob",
        "--no-tablespaces",
        connection.settings_dict["NAME"],
    ]
    with open(target, "wb") as handle:
        result = subprocess.run(  # noqa: S603 - fixed client, arguments from settings
            command, stdout=handle, stderr=subprocess.PIPE, env=env, timeout=DUMP_TIMEOUT_SECONDS, check=False
        )
    if result.returncode != 0:
        raise BackupError(f"mariadb-dump failed: {result.stderr.decode(errors='replace').strip()}")


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def database_restore(dump: IO[bytes], database_engine: str) -> None:
    """Load ``dump`` (a stream) into the empty database of the settings."""
    if database_engine != engine():
        raise BackupError(f"The archive holds a {database_engine} dump; this database is {engine()}.")
    if not database_is_empty():
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty: restore into a new one."
        )
    if database_engine == SQLITE:
        _sqlite_restore(dump)
        return
    arguments, env = _mysql_arguments()
    command = [_client("mariadb", "mysql"), *arguments, connection.settings_dict["NAME"]]
    connection.close()  # the client writes alone; Django reconnects afterwards
    with tempfile.TemporaryFile() as errors:
        client = subprocess.Popen(  # noqa: S603 - fixed client, arguments from settings
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
        )
        assert client.stdin is not None  # noqa: S101 - stdin=PIPE
        with client.stdin:
            shutil.copyfileobj(dump, client.stdin, 1024 * 1024)
        if client.wait(timeout=DUMP_TIMEOUT_SECONDS) != 0:
            errors.seek(0)
            raise BackupError(f"mariadb failed: {errors.read().decode(errors='replace').strip()}")


def _sqlite_restore(dump: IO[bytes]) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    with tempfile.TemporaryDirectory() as directory:
        fixture = Path(directory) / "database.json"
        fixture.write_bytes(dump.read())
        call_command("loaddata", str(fixture), verbosity=0)
