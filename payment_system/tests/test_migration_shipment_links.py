"""payment_system 0004: seller transactions and refunds made before shipments existed get their
shipment, run with the models as they were at that migration."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.ordering.models import ReturnRequest, Shipment
from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order
from payment_system.payments.models import Refund, SellerTransaction

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("payment_system.migrations.0004_shipment_links_backfill")


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")


@pytest.fixture
def migration_apps():
    """The app registry as it stood right after 0004 (historical models, today's tables)."""
    state = MigrationExecutor(connection).loader.project_state(
        [("payment_system", "0004_shipment_links_backfill")]
    )
    return state.apps


def refund(order, key, **fields):
    return Refund.objects.create(
        payment=order.payment,
        order=order,
        amount=Decimal("5.00"),
        currency=order.currency,
        reason="requested_by_customer",
        idempotency_key=key,
        **fields,
    )


def test_backfill_links_each_share_and_return_refund_to_its_shipment(
    auth_client, api_client, fake_stripe, migration_apps
):
    maker, potter, stranger = SellerFactory(), SellerFactory(), SellerFactory()
    chair = OrderingProductFactory(seller=maker, price=Decimal("100.00"))
    cup = OrderingProductFactory(seller=potter, price=Decimal("20.00"))
    order = paid_order(auth_client, api_client, UserFactory(), fake_stripe, (chair, 1), (cup, 2))
    parts = {s.seller_id: s for s in Shipment.objects.filter(order=order)}
    # A share of a seller with no shipment in the order (data the backfill cannot place).
    orphan = SellerTransaction.objects.create(
        payment=order.payment, order=order, seller=stranger, currency=order.currency, gross_amount=0
    )
    returned = ReturnRequest.objects.create(order=order, shipment=parts[potter.pk], reason="defective")
    for_return = refund(order, "legacy-return", return_request=returned)
    whole_order = refund(order, "legacy-whole-order")
    # As they were before 0003/0004: no links anywhere.
    SellerTransaction.objects.filter(order=order).update(shipment=None)
    Refund.objects.filter(order=order).update(shipment=None)
    before = sorted(SellerTransaction.objects.filter(order=order).values_list("pk", "status", "net_amount"))

    backfill.forwards(migration_apps, None)
    first = dict(SellerTransaction.objects.filter(order=order).values_list("seller_id", "shipment_id"))
    backfill.forwards(migration_apps, None)  # run again: nothing moves

    assert first == {maker.pk: parts[maker.pk].pk, potter.pk: parts[potter.pk].pk, stranger.pk: None}
    assert (
        dict(SellerTransaction.objects.filter(order=order).values_list("seller_id", "shipment_id")) == first
    )
    assert Refund.objects.get(pk=for_return.pk).shipment_id == parts[potter.pk].pk
    assert Refund.objects.get(pk=whole_order.pk).shipment_id is None  # a whole-order refund has none
    assert SellerTransaction.objects.get(pk=orphan.pk).shipment_id is None
    # only the links changed
    assert (
        sorted(SellerTransaction.objects.filter(order=order).values_list("pk", "status", "net_amount"))
        == before
    )

    backfill.backwards(migration_apps, None)

    assert not SellerTransaction.objects.filter(shipment__isnull=False).exists()
    assert not Refund.objects.filter(shipment__isnull=False).exists()
