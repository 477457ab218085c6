"""A seller's rating (the average star over the visible reviews of all their products) stays
exact through reviews, edits, moderation, product deletion and concurrent reviews."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import close_old_connections

from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from marketplace.catalog.models import SellerRating
from marketplace.catalog.products.selectors import seller_rating
from marketplace.catalog.products.seller_ratings import seller_rating_ensure, seller_ratings_rebuild
from marketplace.catalog.products.services import product_delete
from marketplace.reviews.services import review_create, review_moderate, review_update
from marketplace.tests.catalog_factories import ProductFactory, received_order_item

URL = "/api/marketplace/products/"


def review(product, rating):
    buyer = UserFactory()
    received_order_item(buyer=buyer, product=product)
    return review_create(product=product, reviewer=buyer, rating=rating, comment="Solid and beautiful.")


def totals(seller):
    row = SellerRating.objects.filter(seller=seller).values_list("rating_points", "review_count").first()
    return row or (0, 0)


@pytest.mark.django_db
def test_the_rating_follows_reviews_edits_moderation_and_deletion(api_client):
    seller = SellerFactory()
    chair, table = ProductFactory(seller=seller), ProductFactory(seller=seller)
    review(chair, 5)
    edited = review(chair, 2)
    review(table, 4)
    assert (totals(seller), seller_rating(seller_id=seller.pk)) == ((11, 3), "3.67")
    assert api_client.get(f"{URL}{table.slug}/").json()["seller"]["seller_rating"] == "3.67"

    review_update(review=edited, user=edited.reviewer, data={"rating": 3})
    assert totals(seller) == (12, 3)
    review_moderate(review=edited, moderator=StaffFactory(), hidden=True)
    assert (totals(seller), seller_rating(seller_id=seller.pk)) == ((9, 2), "4.50")

    product_delete(product=chair, user=seller)
    assert (totals(seller), seller_rating(seller_id=seller.pk)) == ((4, 1), "4.00")
    assert api_client.get(f"{URL}{table.slug}/").json()["seller"]["seller_rating"] == "4.00"


@pytest.mark.django_db
def test_a_seller_without_reviews_has_zero():
    assert seller_rating(seller_id=SellerFactory().pk) == "0.00"


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_of_one_sellers_products_all_count():
    seller = SellerFactory()
    products = [ProductFactory(seller=seller) for _ in range(6)]
    seller_rating_ensure(seller_id=seller.pk)  # as product_create does
    buyers = []
    for product in products:
        buyer = UserFactory()
        received_order_item(buyer=buyer, product=product)
        buyers.append(buyer)
    start = threading.Barrier(len(products))
    errors = []

    def write(product, buyer, rating):
        try:
            start.wait()
            review_create(product=product, reviewer=buyer, rating=rating, comment="Solid and beautiful.")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=write, args=(product, buyer, 1 + index % 5))
        for index, (product, buyer) in enumerate(zip(products, buyers, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert totals(seller) == (1 + 2 + 3 + 4 + 5 + 1, 6)


@pytest.mark.django_db
def test_rebuild_and_the_migration_backfill_agree_with_the_running_totals():
    seller = SellerFactory()
    for rating in (5, 4, 4):
        review(ProductFactory(seller=seller), rating)
    running = totals(seller)

    SellerRating.objects.all().delete()
    seller_ratings_rebuild()
    assert totals(seller) == running

    SellerRating.objects.all().delete()
    migration = importlib.import_module("marketplace.migrations.0004_seller_rating")
    migration.backfill(apps, None)
    assert totals(seller) == running == (13, 3)
