"""FULLTEXT index for catalogue search on MySQL/MariaDB; other databases (SQLite) need none."""

from django.db import migrations

INDEX = "product_search_fulltext"


def create_fulltext_index(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    table = apps.get_model("marketplace", "Product")._meta.db_table
    schema_editor.execute(f"CREATE FULLTEXT INDEX {INDEX} ON {table} (search_document)")


def drop_fulltext_index(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    table = apps.get_model("marketplace", "Product")._meta.db_table
    schema_editor.execute(f"DROP INDEX {INDEX} ON {table}")


class Migration(migrations.Migration):
    atomic = False  # DDL: MySQL cannot run it inside a transaction

    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(create_fulltext_index, drop_fulltext_index, elidable=False)]
