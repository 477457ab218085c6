"""SQLite's FTS5 triggers survive a migration that rebuilds the product table (issue 15's
``make run`` search): ``fts_triggers_ensure`` (after every migrate) puts back what a rebuild
dropped. On MariaDB the FULLTEXT indexes need nothing, and the function does nothing. Run on
SQLite with ``DATABASE_URL=sqlite:////tmp/designia-search.db pytest <this file>``."""

import pytest
from django.db import connection

from marketplace.catalog.search.sqlite_fts import fts_triggers_ensure
from marketplace.tests.catalog_factories import ProductFactory

URL = "/api/marketplace/products/search/"


@pytest.mark.django_db(transaction=True)
def test_the_fts_triggers_a_table_rebuild_dropped_are_recreated(api_client):
    assert fts_triggers_ensure() == []  # after migrate: nothing missing (or not SQLite)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # what a table rebuild does to them (migration 0017)
            cursor.execute("DROP TRIGGER marketplace_product_fts_ai")
            cursor.execute("DROP TRIGGER marketplace_product_fts_au")
        assert fts_triggers_ensure() == ["marketplace_product_fts_ai", "marketplace_product_fts_au"]
    bench = ProductFactory(name="Zebrawood Bench", materials="Zebrawood", description="")
    found = api_client.get(URL, {"q": "zebrawood benches"}).json()
    assert [item["id"] for item in found["results"]] == [str(bench.pk)]
    assert fts_triggers_ensure() == []
