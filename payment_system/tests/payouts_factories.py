"""Builders and fake-Stripe routes for the payouts tests (held funds, transfers, payouts)."""

import itertools
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from authentication.tests.factories import SellerFactory, UserFactory
from designiaBackend.celery import app as celery_app
from marketplace.ordering.models import Order, OrderItem, ReturnRequest
from marketplace.tests.ordering_factories import OrderingProductFactory
from payment_system.connect.models import Payout
from payment_system.payments.models import Payment, SellerTransaction
from payment_system.tests.connect_factories import StripeConnectAccountFactory

ROOT = Path(__file__).resolve().parents[2]
_numbers = itertools.count(1)


def connected_seller(*, payouts_enabled=True, **kwargs):
    seller = SellerFactory(**kwargs)
    StripeConnectAccountFactory(
        seller=seller,
        stripe_account_id=f"acct_seller{next(_numbers):05d}",
        details_submitted=True,
        charges_enabled=payouts_enabled,
        payouts_enabled=payouts_enabled,
    )
    return seller


def held_transaction(
    *,
    seller=None,
    gross=Decimal("90.00"),
    platform_fee=Decimal("9.00"),
    stripe_fee=Decimal("2.91"),
    currency="USD",
    held_until=None,
    status=SellerTransaction.Status.HELD,
    needs_review=False,
    charge_id=None,
):
    """A paid, delivered order of one item by ``seller`` and its held seller transaction."""
    seller = seller or connected_seller()
    number = next(_numbers)
    now = timezone.now()
    order = Order.objects.create(
        buyer=UserFactory(),
        status=Order.Status.DELIVERED,
        payment_status=Order.PaymentStatus.PAID,
        currency=currency,
        subtotal=gross,
        total_amount=gross,
        needs_review=needs_review,
        review_reason="Dispute opened: fraudulent" if needs_review else "",
        delivered_at=now - timedelta(days=8),
        paid_at=now - timedelta(days=10),
    )
    product = OrderingProductFactory(seller=seller, price=gross)
    OrderItem.objects.create(
        order=order,
        product=product,
        seller=seller,
        product_name=product.name,
        unit_price=gross,
        quantity=1,
        total_price=gross,
    )
    payment = Payment.objects.create(
        order=order,
        provider="stripe",
        status=Payment.Status.SUCCEEDED,
        amount=gross,
        currency=currency,
        payment_intent_id=f"pi_test_{number:05d}",
        charge_id=f"ch_test_{number:05d}" if charge_id is None else charge_id,
        paid_at=now - timedelta(days=10),
    )
    return SellerTransaction.objects.create(
        payment=payment,
        order=order,
        seller=seller,
        currency=currency,
        gross_amount=gross,
        platform_fee=platform_fee,
        stripe_fee=stripe_fee,
        net_amount=gross - platform_fee - stripe_fee,
        status=status,
        held_until=held_until if held_until is not None else now - timedelta(hours=1),
    )


def open_return(order):
    return ReturnRequest.objects.create(order=order, reason=ReturnRequest.Reason.DEFECTIVE)


def payout(seller, *, amount_minor=7809, status=Payout.Status.PAID, created_at=None, stripe_id=None):
    account = seller.stripe_connect_account
    created_at = created_at or timezone.now()
    return Payout.objects.create(
        seller=seller,
        account=account,
        stripe_payout_id=stripe_id or f"po_test_{next(_numbers):05d}",
        amount_minor=amount_minor,
        currency="USD",
        status=status,
        arrival_date=created_at.date(),
        stripe_created_at=created_at,
        last_event_at=created_at,
    )


# --- fake Stripe routes -----------------------------------------------------------------------------------


def route_transfers(fake_stripe, *, status=200, error_type="invalid_request_error", delay=0.0):
    """``POST /v1/transfers``: one transfer per idempotency key (as Stripe's idempotency does)."""
    transfers = {}

    def create(request, match):
        time.sleep(delay)
        if status != 200:
            return status, {"error": {"type": error_type, "message": "Transfers are not possible now."}}
        key = request.idempotency_key
        if key not in transfers:
            transfers[key] = {
                "id": f"tr_test_{next(_numbers):05d}",
                "object": "transfer",
                "amount": int(request.form["amount"]),
                "currency": request.form["currency"],
                "destination": request.form["destination"],
                "transfer_group": request.form.get("transfer_group"),
            }
        return 200, transfers[key]

    fake_stripe.on("POST", r"/v1/transfers", create)
    return transfers


def route_reversals(fake_stripe):
    def create(request, match):
        return 200, {
            "id": f"trr_test_{next(_numbers):05d}",
            "object": "transfer_reversal",
            "amount": int(request.form["amount"]),
            "transfer": match.group(1),
        }

    fake_stripe.on("POST", r"/v1/transfers/([^/]+)/reversals", create)


# --- a real Celery worker whose Stripe is the fake server ------------------------------------------------


def _database_url():
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"mysql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


def _use_broker(prefix):
    celery_app.conf.broker_url = settings.REDIS_URL
    celery_app.conf.result_backend = settings.REDIS_URL
    celery_app.conf.broker_transport_options = {"global_keyprefix": prefix} if prefix else {}
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def stripe_celery_worker(transactional_db, _fake_stripe_server, fake_stripe):
    """A real Celery worker process (threads pool, Redis broker under its own key prefix) reading the
    test database, configured exactly as production with ``PAYMENT_GATEWAY=stripe`` and
    ``STRIPE_API_BASE`` pointing at the fake Stripe server. The shared ``celery_worker`` fixture
    runs the dummy gateway (other apps' worker tests rely on it), so this one is started per test."""
    if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.mysql":
        pytest.fail("The real worker tests need Redis (REDIS_URL) and MariaDB (DATABASE_URL).")
    previous = dict(celery_app.conf.broker_transport_options or {})
    prefix = f"test-payouts-{uuid.uuid4().hex[:12]}:"
    _use_broker(prefix)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "CELERY_RESULT_BACKEND": settings.REDIS_URL,
        "CELERY_KEY_PREFIX": prefix,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_API_BASE": _fake_stripe_server.url,
    }
    log_path = ROOT / ".pytest_cache" / f"celery-payouts-{uuid.uuid4().hex[:6]}.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "celery", "-A", "designiaBackend", "worker", "-Q", "payment_tasks"]
            + ["--pool=threads", "--concurrency=4", "--without-gossip", "--without-mingle", "-l", "info"]
            + ["-n", f"payouts-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        celery_app.conf.task_always_eager = False
        try:
            _wait_for(process, log_path)
            yield process
        finally:
            celery_app.conf.task_always_eager = True
            process.terminate()
            process.wait(timeout=30)
            _use_broker(previous.get("global_keyprefix", ""))


def _wait_for(process, log_path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited; see {log_path}")
        if celery_app.control.ping(timeout=0.5):
            return
    pytest.fail(f"The Celery worker did not answer within 60 s; see {log_path}")
