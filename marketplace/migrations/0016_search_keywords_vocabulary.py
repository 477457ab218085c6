"""Search (issue 15): the ``search_keywords`` document with its FULLTEXT index (MySQL/MariaDB)
or an FTS5 table over both documents kept in step by triggers (SQLite); the vocabulary table;
every product's documents and the vocabulary rebuilt."""

from django.db import migrations, models

INDEX = "product_keywords_fulltext"
FTS = "marketplace_product_fts"
BATCH = 500


def reindex(apps, schema_editor):
    from marketplace.catalog.search.text import product_search_documents
    from marketplace.catalog.search.vocabulary import document_terms

    Product = apps.get_model("marketplace", "Product")
    SearchTerm = apps.get_model("marketplace", "SearchTerm")
    counts = {}
    batch = []
    for product in Product.objects.select_related("category").order_by("id").iterator(chunk_size=BATCH):
        product.search_keywords, product.search_document = product_search_documents(product)
        for term in document_terms(product.search_document):
            counts[term] = counts.get(term, 0) + 1
        batch.append(product)
        if len(batch) == BATCH:
            Product.objects.bulk_update(batch, ["search_keywords", "search_document"])
            batch = []
    Product.objects.bulk_update(batch, ["search_keywords", "search_document"])
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term, product_count=count) for term, count in counts.items()],
        batch_size=2000,
        ignore_conflicts=True,
    )


def create_indexes(apps, schema_editor):
    table = apps.get_model("marketplace", "Product")._meta.db_table
    vendor = schema_editor.connection.vendor
    if vendor == "mysql":
        schema_editor.execute(f"CREATE FULLTEXT INDEX {INDEX} ON {table} (search_keywords)")
    elif vendor == "sqlite":
        columns = "search_keywords, search_document"
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5({columns}, content='{table}', content_rowid='id')"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON {table} BEGIN INSERT INTO {FTS}(rowid, {columns}) "
            f"VALUES (new.id, new.search_keywords, new.search_document); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON {table} BEGIN INSERT INTO {FTS}({FTS}, rowid, {columns}) "
            f"VALUES ('delete', old.id, old.search_keywords, old.search_document); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON {table} BEGIN INSERT INTO {FTS}({FTS}, rowid, {columns}) "
            f"VALUES ('delete', old.id, old.search_keywords, old.search_document); INSERT INTO {FTS}(rowid, "
            f"{columns}) VALUES (new.id, new.search_keywords, new.search_document); END"
        )
        schema_editor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def drop_indexes(apps, schema_editor):
    table = apps.get_model("marketplace", "Product")._meta.db_table
    vendor = schema_editor.connection.vendor
    if vendor == "mysql":
        schema_editor.execute(f"DROP INDEX {INDEX} ON {table}")
    elif vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    atomic = False  # DDL: MySQL cannot run it inside a transaction

    dependencies = [("marketplace", "0015_product_attributes")]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("term", models.CharField(max_length=64, unique=True)),
                ("product_count", models.PositiveIntegerField(default=1)),
            ],
        ),
        migrations.AddField(
            model_name="product",
            name="search_keywords",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
