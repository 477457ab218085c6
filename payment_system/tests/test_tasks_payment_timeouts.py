"""``check_payment_timeouts_task`` through a real Celery worker (Redis broker, the worker's own DB connection)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from marketplace.catalog.models import Product
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, placed_order
from payment_system.Tasks import check_payment_timeouts_task


def unpaid_order(product, quantity, *, age_days):
    # The worker runs the default (dummy) gateway: its sessions expire without a network.
    order = placed_order((product, quantity), session_prefix="cs_dummy", provider="dummy")
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return order


def test_timeout_task_runs_on_a_real_worker_twice_at_once(celery_worker):
    product = OrderingProductFactory(price=Decimal("40.00"), stock_quantity=10)
    expired = [unpaid_order(product, 2, age_days=4) for _ in range(3)]
    fresh = unpaid_order(product, 1, age_days=1)
    assert Product.objects.get(pk=product.pk).stock_quantity == 3

    runs = [check_payment_timeouts_task.delay(), check_payment_timeouts_task.delay()]
    cancelled = [run.get(timeout=60) for run in runs]

    assert sum(cancelled) == 3
    assert set(Order.objects.filter(pk__in=[o.pk for o in expired]).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert Order.objects.get(pk=fresh.pk).status == "pending_payment"
    assert Product.objects.get(pk=product.pk).stock_quantity == 9
