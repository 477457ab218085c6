"""``python manage.py backup_restore ARCHIVE`` (`make restore ARCHIVE=...`): into an empty database and storage."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infrastructure.backups.archive import BackupError, describe
from infrastructure.backups.services import backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty media storage."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(archive=Path(options["archive"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"restored": str(options["archive"]), **describe(manifest)}))
