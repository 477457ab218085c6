"""`make backup` / `make restore`: a database with orders, payments, chat and media (on a real S3
API server) is backed up by the command, restored into a fresh database and a fresh bucket, and
still serves the buyer's order to a running server."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection

from authentication.tests.factories import DEFAULT_PASSWORD
from chat.tests.factories import add_message, thread_between
from conftest import _database_url_for_worker, start_daphne
from infrastructure.backups.services import backup_create
from marketplace.tests.ordering_factories import add_image
from payment_system.tests.payouts_factories import held_transaction

ROOT = Path(__file__).resolve().parents[2]
needs_mysql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.mysql", reason="needs MariaDB/MySQL"
)


def _storage_env(s3_server, bucket):
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
    }


def _manage(*arguments, env):
    command = [sys.executable, "manage.py", *arguments]
    return subprocess.run(  # noqa: S603 - this repository's manage.py
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def _row_counts(database):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [database],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            query = f"SELECT COUNT(*) FROM `{database}`.`{table}`"  # noqa: S608 - names from the server
            cursor.execute(query)
            counts[table] = cursor.fetchone()[0]
    return counts


def _bucket_checksums(client, bucket):
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: hashlib.sha256(
            client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        ).hexdigest()
        for item in listing
    }


@pytest.fixture
def fresh_database():
    name = f"test_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    source = _database_url_for_worker()
    yield name, source.rsplit("/", 1)[0] + f"/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def _shop_with_media():
    """An order paid and held for its seller, a chat about it, a product photo and a private file."""
    row = held_transaction()
    product = row.order.items.get().product
    add_image(product, name=storages["default"].save("products/oak.jpg", ContentFile(b"\xff\xd8jpeg bytes")))
    storages["private"].save(
        "exports/buyer.json", ContentFile(json.dumps({"orders": [str(row.order_id)]}).encode())
    )
    thread = thread_between(row.order.buyer, row.seller, product=product)
    add_message(thread, row.order.buyer, text="When does it ship?")
    return row


@needs_mysql
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_bucket(s3_storage, s3_server, fresh_database, tmp_path):
    row = _shop_with_media()
    source_db = settings.DATABASES["default"]["NAME"]
    source_env = {"DATABASE_URL": _database_url_for_worker(), **_storage_env(s3_server, s3_storage.bucket)}
    older = [tmp_path / f"designia-backup-2026010{day}T011500Z.tar.gz" for day in (1, 2)]
    for path in older:
        path.write_bytes(b"old")
        path.with_name(path.name + ".sha256").write_text("0  old\n")

    made = _manage("backup_create", "--output-dir", str(tmp_path), "--keep", "2", env=source_env)
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    archive = Path(report["archive"])
    # The product photo and the private file.
    assert (report["database"], report["media_files"]) == ("mysql", 2)
    # Retention: the two newest archives are kept (the new one and the newer old one).
    assert sorted(p.name for p in tmp_path.glob("*.tar.gz")) == [older[1].name, archive.name]
    assert not older[0].with_name(older[0].name + ".sha256").exists()
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (tmp_path / f"{archive.name}.sha256").read_text() == f"{digest}  {archive.name}\n"
    with tarfile.open(archive) as tar:
        dump = tar.extractfile("database.sql").read().decode()
    assert "CREATE TABLE `marketplace_order`" in dump and "When does it ship?" in dump

    database, database_url = fresh_database
    bucket = f"designia-restore-{uuid.uuid4().hex[:8]}"
    s3_storage.create_bucket(Bucket=bucket)
    target_env = {"DATABASE_URL": database_url, **_storage_env(s3_server, bucket)}
    restored = _manage("backup_restore", str(archive), env=target_env)
    assert restored.returncode == 0, restored.stderr

    assert _row_counts(database) == _row_counts(source_db)
    assert _row_counts(database)["marketplace_order"] == 1
    assert _bucket_checksums(s3_storage, bucket) == _bucket_checksums(s3_storage, s3_storage.bucket)

    server = start_daphne({**target_env, "CELERY_TASK_ALWAYS_EAGER": "true"})
    try:
        login = requests.post(
            f"{server.http_url}/api/auth/login/",
            json={"email": row.order.buyer.email, "password": DEFAULT_PASSWORD},
            timeout=20,
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access']}"}
        order = requests.get(
            f"{server.http_url}/api/marketplace/orders/{row.order_id}/", headers=headers, timeout=20
        )
    finally:
        server.stop()
    assert order.status_code == 200, order.text
    assert (str(order.json()["id"]), order.json()["total_amount"]) == (str(row.order_id), "90.00")

    # A second restore into the now filled database is refused and changes nothing.
    before = _row_counts(database)
    again = _manage("backup_restore", str(archive), env=target_env)
    assert again.returncode != 0 and "not empty" in again.stderr
    assert _row_counts(database) == before


@needs_mysql
@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_written(
    s3_storage, s3_server, fresh_database, tmp_path
):
    _shop_with_media()
    archive, _ = backup_create(output_dir=tmp_path, keep=1)  # in this process: the same code as the command
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    archive.write_bytes(bytes(damaged))

    database, database_url = fresh_database
    bucket = f"designia-restore-{uuid.uuid4().hex[:8]}"
    s3_storage.create_bucket(Bucket=bucket)
    refused = _manage(
        "backup_restore", str(archive), env={"DATABASE_URL": database_url, **_storage_env(s3_server, bucket)}
    )
    assert refused.returncode != 0
    assert f"{archive.name} does not match {archive.name}.sha256" in refused.stderr
    assert _row_counts(database) == {}
    assert _bucket_checksums(s3_storage, bucket) == {}


# SQLite (`make run`): dumpdata, then migrate + loaddata; media from the local folders.
SQLITE_BACKUP = """
import json, sys
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from authentication.models import User
call_command("migrate", verbosity=0)
User.objects.create_user(email="maker@example.com", username="maker", password="Sqlite-Backup-2026!")
storages["default"].save("avatars/maker.png", ContentFile(b"png bytes"))
call_command("backup_create", output_dir=sys.argv[1], keep=1)
"""
SQLITE_CHECK = """
import hashlib, json, sys
import django
django.setup()
from django.contrib.auth import authenticate
from django.core.files.storage import storages
from django.core.management import call_command
from authentication.models import User
call_command("backup_restore", sys.argv[1])
with storages["default"].open("avatars/maker.png") as handle:
    digest = hashlib.sha256(handle.read()).hexdigest()
user = authenticate(email="maker@example.com", password="Sqlite-Backup-2026!")
print(json.dumps({"users": User.objects.count(), "login": user is not None, "avatar": digest}))
"""


def _sqlite_env(tmp_path, name):
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3",
        "MEDIA_ROOT": str(tmp_path / f"{name}-media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / f"{name}-private"),
        "REDIS_URL": "",
        "AWS_STORAGE_BUCKET_NAME": "",
    }


def test_a_sqlite_backup_restores_into_a_new_database_file(tmp_path):
    def run(script, argument, env):
        command = [sys.executable, "-c", script, str(argument)]
        return subprocess.run(  # noqa: S603 - the scripts above
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    made = run(SQLITE_BACKUP, tmp_path / "archives", _sqlite_env(tmp_path, "source"))
    assert made.returncode == 0, made.stderr
    (archive,) = (tmp_path / "archives").glob("designia-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        dump = json.loads(tar.extractfile("database.json").read())
    assert manifest["database_engine"] == "sqlite"
    assert [(m["storage"], m["name"]) for m in manifest["media"]] == [("default", "avatars/maker.png")]
    assert [row["fields"]["email"] for row in dump if row["model"] == "authentication.user"] == [
        "maker@example.com"
    ]

    checked = run(SQLITE_CHECK, archive, _sqlite_env(tmp_path, "restored"))
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout.strip().splitlines()[-1]) == {
        "users": 1,
        "login": True,
        "avatar": hashlib.sha256(b"png bytes").hexdigest(),
    }
