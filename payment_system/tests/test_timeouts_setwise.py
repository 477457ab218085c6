"""The payment-timeout sweep in bulk: overdue orders whose session is over are cancelled and their
stock released set-wise per batch (a fixed number of queries, whatever the batch size), their
sessions closed and their e-mails sent by tasks of their own, the e-mails over one SMTP connection."""

import logging
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from designiaBackend.outbox.models import OutboxMessage
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order, Shipment
from marketplace.tests.ordering_factories import OrderingProductFactory, placed_order, route_session_expire
from payment_system.checkout.timeouts import payment_timeouts_check

pytestmark = pytest.mark.django_db


class CountingBackend(EmailBackend):
    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


@pytest.fixture
def counting_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened = 0
    return CountingBackend


def overdue_order(products, *, reserved_until=None, session=True):
    order = placed_order(
        *[(product, 1) for product in products], session_prefix="cs_test" if session else None
    )
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.now() - timedelta(days=4), reserved_until=reserved_until
    )
    return order


def test_a_batch_is_cancelled_set_wise_with_its_stock_released_and_one_mail_connection(
    fake_stripe, counting_mail, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.PAYMENT_TIMEOUT_DAYS = 3
    route_session_expire(fake_stripe)
    chair = OrderingProductFactory(price=Decimal("50.00"), stock_quantity=40)
    lamp = OrderingProductFactory(price=Decimal("20.00"), stock_quantity=40)
    orders = [overdue_order([chair, lamp]) for _ in range(12)]
    mail.outbox.clear()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 28

    # The cancellation itself: a fixed number of statements for the whole batch (no provider call).
    with django_assert_max_num_queries(40), django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert payment_timeouts_check(batch_size=50) == 12
    assert fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.*/expire") == []
    ids = [order.pk for order in orders]
    assert set(
        Order.objects.filter(pk__in=ids).values_list("status", "cancellation_reason", "stock_released")
    ) == {("cancelled", "payment_timeout", True)}
    assert set(Shipment.objects.filter(order_id__in=ids).values_list("status", "stock_released")) == {
        ("cancelled", True)
    }
    assert Product.objects.get(pk=chair.pk).stock_quantity == 40
    assert Product.objects.get(pk=lamp.pk).stock_quantity == 40
    tasks = sorted(OutboxMessage.objects.values_list("task", flat=True))
    assert tasks == [
        "marketplace.ordering.tasks.order_emails_send_task",
        "payment_system.Tasks.payment_tasks.checkout_sessions_close_task",
    ]

    # After the commit: the batch's sessions are closed and its e-mails sent, over one connection.
    for callback in callbacks:
        callback()
    assert len(fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.*/expire")) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(order.buyer.email for order in orders)
    assert counting_mail.opened == 1
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 0

    # A second run finds nothing: nothing is cancelled, released or sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_timeouts_check(batch_size=50) == 0
    assert len(mail.outbox) == 12
    assert Product.objects.get(pk=chair.pk).stock_quantity == 40


def test_an_order_whose_session_may_still_be_open_asks_the_provider_first(fake_stripe, settings):
    settings.PAYMENT_TIMEOUT_DAYS = 3
    completed = []

    def expire(request, match):
        completed.append(match.group(1))
        return 200, {
            "id": match.group(1),
            "object": "checkout.session",
            "status": "complete",
            "client_secret": "",
        }

    fake_stripe.on("POST", r"/v1/checkout/sessions/([^/]+)/expire", expire)
    chair = OrderingProductFactory(stock_quantity=5)
    # A retry reserved it again an hour ago: its session may be paid right now.
    order = overdue_order([chair], reserved_until=timezone.now() + timedelta(minutes=30))
    Order.objects.filter(pk=order.pk).update(reserved_until=timezone.now() + timedelta(minutes=30))

    assert payment_timeouts_check() == 0
    assert completed == [f"cs_test_{order.pk.hex}"]
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert Product.objects.get(pk=chair.pk).stock_quantity == 4


def test_the_sweep_pauses_between_batches_in_proportion_to_its_duty_cycle(fake_stripe, settings, caplog):
    """Gentle on the API: with a duty cycle of 0.25 the sweep rests three times as long as each
    batch took, after every batch; the wall time is the work and the rests."""
    settings.PAYMENT_TIMEOUT_DAYS = 3
    route_session_expire(fake_stripe)
    chair = OrderingProductFactory(stock_quantity=20)
    orders = [overdue_order([chair]) for _ in range(6)]

    caplog.set_level(logging.INFO, logger="payment_system.checkout.timeouts")
    started = time.monotonic()
    assert payment_timeouts_check(batch_size=2, duty_cycle=0.25) == 6  # three batches
    wall = time.monotonic() - started
    (record,) = [r for r in caplog.records if r.getMessage().startswith("Payment timeouts:")]
    assert record.cancelled == 6 and record.duty_cycle == 0.25
    assert record.busy_seconds > 0
    assert record.paused_seconds == pytest.approx(3 * record.busy_seconds, rel=1e-6)
    assert wall >= record.busy_seconds + record.paused_seconds
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert Product.objects.get(pk=chair.pk).stock_quantity == 20

    # At full duty (the setting) it never pauses; a duty cycle outside (0, 1] is refused.
    settings.PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE = 1.0
    caplog.clear()
    overdue_order([chair])
    assert payment_timeouts_check(batch_size=2) == 1
    (record,) = [r for r in caplog.records if r.getMessage().startswith("Payment timeouts:")]
    assert record.paused_seconds == 0 and record.duty_cycle == 1.0
    for wrong in (0, 1.5):
        with pytest.raises(ValueError):
            payment_timeouts_check(duty_cycle=wrong)
