"""SQLite's FTS5 table of the product documents (``make run``): its triggers, ensured after
every ``migrate``.

Migration 0016 creates the FTS5 table and the three triggers that keep it in step with the
product table. SQLite cannot alter most columns in place, so Django rebuilds a table for such a
migration (0017 adds a field with a default), and dropping the old table drops its triggers:
the FTS5 table then misses every later write and search finds nothing new. After each
``migrate`` (``post_migrate``, connected in ``MarketplaceConfig.ready``), ``fts_triggers_ensure``
recreates any missing trigger and, if one was missing, rebuilds the FTS5 index from the table.
Nothing happens on other databases, nor before 0016.
"""

from django.db import connections

from marketplace.catalog.search.backends import FTS_TABLE

COLUMNS = "search_keywords, search_document"


def _triggers(table):
    # Only constant table and column names are formatted into this DDL.
    fts, columns = FTS_TABLE, COLUMNS
    insert = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, new.search_keywords, new.search_document);"  # noqa: S608
    delete = (
        f"INSERT INTO {fts}({fts}, rowid, {columns}) "  # noqa: S608
        f"VALUES ('delete', old.id, old.search_keywords, old.search_document);"
    )
    return {
        f"{fts}_ai": f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_ad": f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_au": f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    }


def fts_triggers_ensure(*, using="default", **kwargs):
    """Recreate the FTS5 triggers a table rebuild dropped; returns the names recreated."""
    from marketplace.catalog.models import Product

    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    table = Product._meta.db_table
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if FTS_TABLE not in tables or table not in tables:
            return []
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in _triggers(table) if name not in present]
        for name in missing:
            cursor.execute(_triggers(table)[name])
        if missing:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
    return missing
