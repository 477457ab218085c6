"""What a checkout (E37) and its payment webhook cost in queries, through the real URLs: pinned, and
for the checkout the same for one seller or three (shipments and items are one INSERT each)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.ordering.models import Order
from marketplace.ordering.services.cart import cart_add_item
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    add_image,
    completed_session,
    fill_cart,
    route_checkout_sessions,
    send_event,
)
from marketplace.tests.test_variants_orders import variant_table
from payment_system.payments.models import SellerTransaction

pytestmark = pytest.mark.django_db
CHECKOUT = "/api/payments/checkout_session/"


@pytest.fixture(autouse=True)
def pricing(settings, eu_vat_rates, default_shipping_country):
    settings.SHIPPING_FLAT_RATE = Decimal("5.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("100000.00")


def checkout_and_pay(auth_client, api_client, fake_stripe, sellers: int, *, variants: bool = False):
    """A 3-item cart from ``sellers`` sellers (with ``variants``: two of them variants of one
    product): ``(order, checkout queries, webhook queries)``."""
    makers = [SellerFactory() for _ in range(sellers)]
    products = [OrderingProductFactory(seller=makers[n % sellers]) for n in range(3)]
    add_image(products[0])
    buyer = UserFactory()
    fill_cart(buyer, *[(product, 1) for product in products[: 1 if variants else 3]])
    if variants:
        table, oak, walnut = variant_table(makers[-1])
        for variant in (oak, walnut):
            cart_add_item(user=buyer, product_id=table.pk, quantity=1, variant_id=variant.pk)
    client = auth_client(buyer)
    with CaptureQueriesContext(connection) as checkout:
        response = client.post(CHECKOUT)
    assert response.status_code == 200, response.content
    order = Order.objects.select_related("payment", "buyer").get(pk=response.json()["order_id"])
    with CaptureQueriesContext(connection) as webhook:
        send_event(api_client, "checkout.session.completed", completed_session(order))
    order.refresh_from_db()
    assert order.payment_status == "paid" and order.shipments.count() == sellers
    assert SellerTransaction.objects.filter(order=order).count() == sellers
    return order, checkout.captured_queries, webhook.captured_queries


def test_checkout_and_webhook_query_counts(auth_client, api_client, fake_stripe):
    route_checkout_sessions(fake_stripe)

    _, one_checkout, one_webhook = checkout_and_pay(auth_client, api_client, fake_stripe, 1)
    _, three_checkout, three_webhook = checkout_and_pay(auth_client, api_client, fake_stripe, 3)

    # user, buyer's last paid order (no profile country: the default country then), cart lock, its
    # lines with products, photos, shipping profiles, the country's VAT, sellers' countries (read
    # before the product locks); products locked and updated, order, shipments, items, cart emptied
    # (two savepoint statements); the payment (one INSERT), the sellers' shop names (each shipment's
    # tax line is named by its shop), the buyer's language, the session attached.
    assert (len(one_checkout), len(three_checkout)) == (20, 20), "\n".join(
        q["sql"][:70] for q in three_checkout
    )
    # Per seller the webhook stores and pushes a notification (and its e-mail through the outbox,
    # run inline here); the shipments' sellers and items are read once and the seller shares are
    # one INSERT whatever their number.
    per_seller = (len(three_webhook) - len(one_webhook)) / 2
    assert len(one_webhook) == 73 and per_seller == 26, (len(one_webhook), per_seller)
    tables = [q["sql"].split("`")[1] for q in three_webhook if q["sql"].startswith("SELECT")]
    assert tables.count("marketplace_shipment") == 1
    assert tables.count("payment_system_sellertransaction") == 1


def test_checkout_with_variants_costs_two_queries_more(auth_client, api_client, fake_stripe):
    """Variants in the cart add their lock and their stock UPDATE (they are read with the cart's
    lines, in the same query): 22 for the 20 above."""
    route_checkout_sessions(fake_stripe)

    order, checkout, _ = checkout_and_pay(auth_client, api_client, fake_stripe, 2, variants=True)

    assert len(checkout) == 22, "\n".join(q["sql"][:70] for q in checkout)
    assert sorted(order.items.values_list("sku", flat=True)) == ["", "OAK-120", "WALNUT-160"]
