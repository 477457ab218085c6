"""Celery workers SIGKILLed mid-task (an e-mail batch, the payment-timeout sweep, a Connect transfer):
the task comes back after the (short, here) visibility timeout and its effect happens exactly once."""

import os
import signal
import threading
import time

import pytest

from authentication.tests.factories import UserFactory
from designiaBackend.outbox.models import OutboxMessage
from designiaBackend.outbox.relay import outbox_relay_pending
from designiaBackend.tests.faults.services import start_worker, wait_until
from designiaBackend.tests.ops.stack import celery_broker
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, placed_order
from tests.fixtures.smtp import SmtpSink

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/marketplace/products/"
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"


def buyers_with_a_cancellation_batch(count, key):
    """``count`` buyers with an order each, their cancellation e-mails one batch in the outbox."""
    from django.db import transaction

    from designiaBackend.api.after_commit import must_happen
    from marketplace.ordering.services.checkout import order_place_from_cart

    buyers = [UserFactory() for _ in range(count)]
    orders = []
    for buyer in buyers:
        fill_cart(buyer, (OrderingProductFactory(stock_quantity=3), 1))
        orders.append(order_place_from_cart(buyer=buyer))
    with transaction.atomic():
        must_happen(
            "marketplace.ordering.tasks.order_emails_send_task",
            args=[[str(order.pk) for order in orders], "cancelled"],
            key=key,
        )
    return buyers


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_an_e_mail_batch_sends_each_e_mail_once_after_recovery(
    private_redis, tmp_path
):
    prefix = f"faults-{time.time_ns()}:"
    sink = SmtpSink()
    log_path = tmp_path / "worker.log"
    with celery_broker(private_redis.url, prefix):
        buyers = buyers_with_a_cancellation_batch(3, "faults-batch")
        message = OutboxMessage.objects.get(key="faults-batch")
        assert message.relayed_at is not None  # on the private broker's email_tasks queue

        first = start_worker(private_redis, prefix, sink, log_path)
        try:
            assert sink.stalled.wait(timeout=180), log_path.read_text()[-3000:]  # mid-batch now
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            assert sink.recipients == []
            message.refresh_from_db()
            assert message.done_at is None

            sink.serve_normally()
            second = start_worker(private_redis, prefix, sink, log_path)
            try:
                wait_until(
                    lambda: OutboxMessage.objects.filter(key="faults-batch", done_at__isnull=False).exists(),
                    180,
                    "the redelivered batch was not done",
                )
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
            sink.close()

    assert sorted(sink.recipients) == sorted(buyer.email for buyer in buyers)  # each once
    # A relay run afterwards sends nothing again: the message is done.
    assert outbox_relay_pending() == 0


@pytest.mark.django_db(transaction=True)
def test_an_e_mail_batch_retried_after_its_connection_broke_sends_only_the_rest(private_redis, tmp_path):
    """The SMTP server hangs up after the batch's second message: the task's retry (a new
    connection) sends the three others, not the first two again."""
    prefix = f"faults-{time.time_ns()}:"
    sink = SmtpSink()
    sink.drop_once_after = 2
    sink.serve_normally()
    log_path = tmp_path / "worker.log"
    with celery_broker(private_redis.url, prefix):
        buyers = buyers_with_a_cancellation_batch(5, "faults-broken-batch")
        worker = start_worker(private_redis, prefix, sink, log_path)
        try:
            wait_until(
                lambda: OutboxMessage.objects.filter(
                    key="faults-broken-batch", done_at__isnull=False
                ).exists(),
                180,
                "the retried batch was not done",
            )
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            sink.close()

    assert sink.dropped.is_set(), log_path.read_text()[-3000:]
    assert sorted(sink.recipients) == sorted(buyer.email for buyer in buyers)  # each once
    assert sink.connections == 2  # the broken one and the retry's
    assert "SMTPServerDisconnected" in OutboxMessage.objects.get(key="faults-broken-batch").last_error


# --- a Celery worker SIGKILLed while it runs the payment-timeout sweep ---------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_the_timeout_sweep_leaves_every_order_cancelled_once(
    private_redis, fake_stripe, tmp_path
):
    from datetime import timedelta

    from django.utils import timezone

    from payment_system.Tasks import check_payment_timeouts_task

    chair = OrderingProductFactory(stock_quantity=10)
    orders = [placed_order((chair, 2)) for _ in range(4)]
    old = timezone.now() - timedelta(days=4)
    Order.objects.filter(pk__in=[o.pk for o in orders[:3]]).update(created_at=old, reserved_until=None)
    # The last one was reserved again recently: the sweep asks Stripe first, and Stripe hangs.
    recent = orders[3]
    Order.objects.filter(pk=recent.pk).update(
        created_at=old, reserved_until=timezone.now() + timedelta(minutes=20)
    )
    assert Product.objects.get(pk=chair.pk).stock_quantity == 2

    hanging, release = threading.Event(), threading.Event()

    def expire(request, match):
        if match.group(1) == f"cs_test_{recent.pk.hex}" and not release.is_set():
            hanging.set()
            release.wait(timeout=300)
        return 200, {
            "id": match.group(1),
            "object": "checkout.session",
            "status": "expired",
            "client_secret": "",
        }

    fake_stripe.on("POST", r"/v1/checkout/sessions/([^/]+)/expire", expire)
    kill_mid_task_then_recover(
        private_redis,
        fake_stripe,
        tmp_path,
        check_payment_timeouts_task,
        "payment_tasks,email_tasks",
        hanging,
        release,
        # The batch that was done before the kill stays done; the last order is still open.
        while_dead=lambda: Order.objects.get(pk=recent.pk).status == "pending_payment",
        recovered=lambda: Order.objects.filter(pk__in=[o.pk for o in orders], status="cancelled").count()
        == 4,
        what="the redelivered sweep did not cancel every order",
    )

    assert Product.objects.get(pk=chair.pk).stock_quantity == 10  # released once per order
    keys = list(
        OutboxMessage.objects.filter(task__endswith="order_emails_send_task").values_list("kwargs", "args")
    )
    assert len(keys) == 1 and sorted(keys[0][1][0]) == sorted(str(o.pk) for o in orders[:3])
    assert OutboxMessage.objects.filter(key=f"order-email-{recent.pk}-cancelled").count() == 1


# --- a Celery worker SIGKILLed while it makes a Connect transfer ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_connect_transfer_transfers_once_after_recovery(
    private_redis, fake_stripe, tmp_path
):
    """Stripe made the transfer but the worker died before it recorded it (its transaction is gone):
    the redelivered release asks again with the same idempotency key and records that transfer."""
    from payment_system.payments.models import SellerTransaction
    from payment_system.payouts.models import Transfer
    from payment_system.Tasks import release_held_funds_task
    from payment_system.tests.payouts_factories import held_transaction

    row = held_transaction()  # 90.00 gross, 78.09 net to the seller, due an hour ago
    hanging, release = threading.Event(), threading.Event()
    made = {}  # Stripe's transfers by idempotency key, as its idempotency keeps them

    def transfers(request, match):
        transfer = made.setdefault(
            request.idempotency_key,
            {
                "id": f"tr_test_fault_{len(made) + 1}",
                "object": "transfer",
                "amount": int(request.form["amount"]),
                "currency": request.form["currency"],
                "destination": request.form["destination"],
                "transfer_group": request.form.get("transfer_group"),
            },
        )
        if not release.is_set():
            hanging.set()  # made at Stripe; the answer waits until the worker is dead
            release.wait(timeout=300)
        return 200, transfer

    fake_stripe.on("POST", r"/v1/transfers", transfers)
    kill_mid_task_then_recover(
        private_redis,
        fake_stripe,
        tmp_path,
        release_held_funds_task,
        "payment_tasks",
        hanging,
        release,
        # The worker's transaction died with it: nothing recorded, the funds still held.
        while_dead=lambda: not Transfer.objects.filter(seller_transaction=row).exists()
        and SellerTransaction.objects.get(pk=row.pk).status == SellerTransaction.Status.HELD,
        recovered=lambda: SellerTransaction.objects.filter(
            pk=row.pk, status=SellerTransaction.Status.RELEASED
        ).exists(),
        what="the redelivered release did not transfer the funds",
    )

    tried = fake_stripe.requests_to("POST", r"/v1/transfers")
    assert len(tried) >= 2  # the killed worker's request and the redelivered one
    assert {request.idempotency_key for request in tried} == {f"transfer-{row.pk}-1"}
    assert list(made) == [f"transfer-{row.pk}-1"]  # one transfer at Stripe
    transfer = Transfer.objects.get(seller_transaction=row)
    assert (transfer.status, transfer.stripe_transfer_id, transfer.amount) == (
        "succeeded",
        "tr_test_fault_1",
        row.net_amount,
    )
    assert transfer.attempt == 1


def kill_mid_task_then_recover(
    private_redis, fake_stripe, tmp_path, task, queues, hanging, release, *, while_dead, recovered, what
):
    """Queue ``task`` for a real worker (Stripe: the fake), SIGKILL the worker once ``hanging`` says
    it waits on Stripe, check ``while_dead()`` (what the kill left), let Stripe answer (``release``),
    start a second worker and wait until ``recovered()``."""
    stripe_env = {
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_API_BASE": fake_stripe.url,
        "STRIPE_TIMEOUT_SECONDS": "300",
    }
    prefix = f"faults-{time.time_ns()}:"
    sink = SmtpSink()
    sink.serve_normally()
    log_path = tmp_path / "worker.log"
    with celery_broker(private_redis.url, prefix):
        task.apply_async(ignore_result=True)
        first = start_worker(private_redis, prefix, sink, log_path, queues, **stripe_env)
        try:
            assert hanging.wait(timeout=180), log_path.read_text()[-3000:]  # mid-task now
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            assert while_dead()
            release.set()
            second = start_worker(private_redis, prefix, sink, log_path, queues, **stripe_env)
            try:
                wait_until(recovered, 180, what)
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            release.set()
            if first.poll() is None:
                first.kill()
            sink.close()
