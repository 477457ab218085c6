"""Real MariaDB row locks: concurrent checkouts never oversell."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from authentication.tests.factories import UserFactory
from marketplace.catalog.models import Product
from marketplace.lock_objects import products_for_update
from marketplace.ordering.exceptions import SoldOut
from marketplace.ordering.models import Order, OrderItem
from marketplace.ordering.services import checkout as checkout_services
from marketplace.ordering.services.checkout import order_place_from_cart
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, run_concurrently


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkouts_for_ten_units_sell_exactly_ten():
    product = OrderingProductFactory(price=Decimal("80.00"), stock_quantity=10)
    buyers = [UserFactory() for _ in range(50)]
    for buyer in buyers:
        fill_cart(buyer, (product, 1))

    results = run_concurrently([lambda buyer=buyer: order_place_from_cart(buyer=buyer) for buyer in buyers])

    succeeded = [value for outcome, value in results if outcome == "ok"]
    failures = [value for outcome, value in results if outcome == "error"]
    assert len(succeeded) == 10
    assert len(failures) == 40
    assert all(isinstance(error, SoldOut) for error in failures)
    assert Product.objects.get(pk=product.pk).stock_quantity == 0
    assert Order.objects.count() == 10
    assert sum(OrderItem.objects.values_list("quantity", flat=True)) == 10


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB")
@pytest.mark.django_db(transaction=True)
def test_concurrent_multi_product_checkouts_lock_in_pk_order_without_deadlock():
    first, second = OrderingProductFactory(stock_quantity=20), OrderingProductFactory(stock_quantity=20)
    buyers = [UserFactory() for _ in range(20)]
    for index, buyer in enumerate(buyers):
        # Half the carts list the products in the opposite order.
        lines = [(first, 1), (second, 1)] if index % 2 else [(second, 1), (first, 1)]
        fill_cart(buyer, *lines)

    results = run_concurrently([lambda buyer=buyer: order_place_from_cart(buyer=buyer) for buyer in buyers])

    assert [outcome for outcome, _ in results] == ["ok"] * 20
    assert Product.objects.get(pk=first.pk).stock_quantity == 0
    assert Product.objects.get(pk=second.pk).stock_quantity == 0


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB")
@pytest.mark.django_db(transaction=True)
def test_a_price_changed_while_checkout_waits_for_the_product_lock_is_the_price_charged(monkeypatch):
    """Checkout quotes the cart before taking the product locks; a seller's price change committed
    while it waited for them shows in the locked row, and the order is priced again from it."""
    chair = OrderingProductFactory(price=Decimal("80.00"), stock_quantity=5)
    buyer = UserFactory()
    fill_cart(buyer, (chair, 2))
    locked, quoted = threading.Event(), threading.Event()
    quote_before_locks = checkout_services._quote_before_locks

    def spied(lines, country):
        early = quote_before_locks(lines, country)
        quoted.set()
        return early

    monkeypatch.setattr(checkout_services, "_quote_before_locks", spied)

    def seller_changes_the_price():
        with transaction.atomic():
            products_for_update([chair.pk])
            locked.set()
            assert quoted.wait(10)  # checkout priced the cart at 80.00 and goes for the lock
            Product.objects.filter(pk=chair.pk).update(price=Decimal("95.00"))
        return "changed"

    def buyer_checks_out():
        assert locked.wait(10)
        return order_place_from_cart(buyer=buyer)

    (edit, _), (outcome, order) = run_concurrently([seller_changes_the_price, buyer_checks_out])

    assert (edit, outcome) == ("ok", "ok"), order
    order.refresh_from_db()
    [item] = order.items.all()
    assert (item.unit_price, item.total_price, order.subtotal) == (
        Decimal("95.00"),
        Decimal("190.00"),
        Decimal("190.00"),
    )
    assert order.shipments.get().subtotal == Decimal("190.00")
    assert Product.objects.get(pk=chair.pk).stock_quantity == 3
