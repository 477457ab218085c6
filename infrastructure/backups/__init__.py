"""Backups that restore: `make backup` / `make restore ARCHIVE=...` (``manage.py backup_create`` and
``backup_restore``).

An archive is one dated ``designia-backup-<UTC time>.tar.gz`` beside its ``.sha256`` file
(``sha256sum -c`` format). Inside: ``manifest.json`` (what is in it, with each member's SHA-256),
the database (``database.sql`` from ``mariadb-dump --single-transaction`` on MySQL/MariaDB,
``database.json`` from ``dumpdata`` on SQLite) and ``media/<storage>/<name>``: every file of the
``default`` and ``private`` storages, local folders or S3 buckets alike (read through Django's
storage API). A restore checks every checksum before it writes anything, and only into an empty
database and empty storages.
"""
