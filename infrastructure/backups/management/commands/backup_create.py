"""``python manage.py backup_create [--output-dir backups] [--keep 14]`` (`make backup`)."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infrastructure.backups.archive import BackupError, describe
from infrastructure.backups.services import backup_create


class Command(BaseCommand):
    help = "Back up the database and the media into a dated, checksummed archive."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output-dir", type=Path, default=Path(settings.BACKUP_DIR))
        parser.add_argument("--keep", type=int, default=settings.BACKUP_KEEP, help="archives to keep")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keep"] < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            path, manifest = backup_create(output_dir=Path(options["output_dir"]), keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"archive": str(path), **describe(manifest)}))
