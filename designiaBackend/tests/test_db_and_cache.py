import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import F

from designiaBackend.cache import RedisCache
from designiaBackend.db import PreparedQuery
from marketplace.catalog.models import Product
from marketplace.tests.catalog_factories import ProductFactory

FIELDS = ("id", "price", "original_price", "tags", "dimensions", "created_at", "is_active")


def by_slug(slug):
    return Product.objects.filter(slug=slug).values(*FIELDS, seller_name=F("seller__username"))


BY_SLUG = PreparedQuery(by_slug, slug="\x00slug")


@pytest.mark.django_db
def test_a_prepared_query_returns_what_values_returns():
    product = ProductFactory(
        price=Decimal("12.50"), original_price=None, tags=["oak"], dimensions={"width": 40}
    )
    ProductFactory()

    assert BY_SLUG.rows(slug=product.slug) == list(by_slug(product.slug))
    row = BY_SLUG.first(slug=product.slug)
    assert (row["price"], row["original_price"], row["tags"], row["dimensions"]) == (
        Decimal("12.50"),
        None,
        ["oak"],
        {"width": 40},
    )
    assert row["created_at"] == product.created_at and row["seller_name"] == product.seller.username
    assert BY_SLUG.first(slug="no-such-product") is None


@pytest.mark.django_db
def test_a_prepared_query_refuses_values_of_another_type_and_unknown_placeholders():
    with pytest.raises(TypeError):
        BY_SLUG.rows(slug=7)
    with pytest.raises(TypeError):
        BY_SLUG.rows()
    absent = PreparedQuery(lambda slug: Product.objects.values("id"), slug="\x00slug")
    with pytest.raises(ValueError, match="appears 0 times"):
        absent.rows(slug="x")


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_for_its_own_connection():
    product = ProductFactory()
    found = {}

    def read():
        found["thread"] = BY_SLUG.first(slug=product.slug)

    BY_SLUG.first(slug=product.slug)
    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert found["thread"] == BY_SLUG.first(slug=product.slug)


def test_the_redis_cache_reuses_one_client_per_pool():
    cache = RedisCache(settings.REDIS_URL or "redis://127.0.0.1:6379/1", {"KEY_PREFIX": "test-reuse"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    cache.set("key", {"value": 1}, 30)
    assert cache.get("key") == {"value": 1}
    assert cache._cache.get_client(write=True) is client
    cache.delete("key")
