"""Checkout benchmark: concurrent E37 checkouts of 3-item carts, then a burst of payment webhooks.

A real daphne server on the configured database; Stripe is the local fake HTTP server of the test
suite (``payment_system/tests/fake_stripe.py``), so the figures measure this application, its
row locks and its database, not Stripe. Phase 1: every buyer checks out a cart of 3 products
(the same 3 for everyone: the stock rows are contended). Phase 2: each order's signed
``checkout.session.completed`` event is delivered twice (a redelivery), all at once. Reported:
orders per second, events per second and p50/p99 latency; a section is appended to
bench/RESULTS.md. Everything the run created is deleted afterwards.

    DATABASE_URL=mysql://... python bench/checkout.py --buyers 100 --concurrency 8
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from authentication.models import User  # noqa: E402
from bench.servers import start_daphne  # noqa: E402
from marketplace.catalog.models import Product  # noqa: E402
from marketplace.ordering.models import Cart, Order, OrderItem  # noqa: E402
from marketplace.ordering.services.cart import cart_add_item  # noqa: E402
from payment_system.payments.models import Payment, Refund, SellerTransaction  # noqa: E402
from payment_system.tests.fake_stripe import FakeStripe, event, sign_webhook  # noqa: E402
from payment_system.webhooks.models import StripeWebhookEvent  # noqa: E402

WEBHOOK_SECRET = "whsec_bench"  # noqa: S105 (a throwaway secret shared with the server it starts)


def start_fake_stripe():
    fake = FakeStripe().start()
    counter = iter(range(1, 10**9))

    def create_session(request, match):
        number = next(counter)
        return 200, {
            "id": f"cs_bench_{number}",
            "client_secret": f"cs_bench_{number}_secret",
            "status": "open",
        }

    fake.on("POST", r"/v1/checkout/sessions", create_session)
    return fake


def start_server(fake_url):
    process, port = start_daphne(
        {
            "PAYMENT_GATEWAY": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_API_BASE": fake_url,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CELERY_TASK_ALWAYS_EAGER": "true",  # e-mails and fee lookups run in the request's process
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    return process, f"http://127.0.0.1:{port}"


def seed(run_id, buyers):
    seller = User.objects.create_user(
        email=f"bench-{run_id}-seller@example.com",
        username=f"bench-{run_id}-seller",
        role="seller",
        is_email_verified=True,
    )
    products = [
        Product.objects.create(
            seller=seller,
            name=f"Bench item {n}",
            slug=f"bench-{run_id}-{n}",
            price=Decimal("19.99") * (n + 1),
            stock_quantity=buyers * 2,
        )
        for n in range(3)
    ]
    tokens = []
    for number in range(buyers):
        user = User.objects.create_user(
            email=f"bench-{run_id}-{number}@example.com",
            username=f"bench-{run_id}-{number}",
            is_email_verified=True,
        )
        for product in products:
            cart_add_item(user=user, product_id=product.pk, quantity=1)
        tokens.append(str(AccessToken.for_user(user)))
    return tokens


def timed(function, *args):
    started = time.perf_counter()
    response = function(*args)
    return time.perf_counter() - started, response


def checkout(base, token):
    response = requests.post(
        f"{base}/api/payments/checkout_session/", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    response.raise_for_status()
    return response.json()["order_id"]


def deliver(base, payload):
    response = requests.post(
        f"{base}/api/payments/stripe_webhook/",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign_webhook(payload, WEBHOOK_SECRET),
        },
        timeout=60,
    )
    response.raise_for_status()
    return response.json()["outcome"]


def completion_payload(order):
    session = {
        "id": order.payment.checkout_session_id,
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": int(order.total_amount * 100),
        "currency": order.currency.lower(),
        "metadata": {"order_id": str(order.pk)},
        "payment_intent": f"pi_bench_{order.pk.hex}",
        "customer_details": {
            "name": "Bench",
            "address": {"line1": "1 Bench Road", "city": "Lisbon", "country": "PT"},
        },
    }
    return json.dumps(event("checkout.session.completed", session))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(latencies, seconds):
    return {
        "count": len(latencies),
        "seconds": seconds,
        "rate": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def run_phase(pool, function, base, inputs):
    started = time.perf_counter()
    results = list(pool.map(lambda value: timed(function, base, value), inputs))
    return [latency for latency, _ in results], [value for _, value in results], time.perf_counter() - started


def cleanup(run_id):
    orders = Order.objects.filter(buyer__username__startswith=f"bench-{run_id}-")
    StripeWebhookEvent.objects.filter(
        payload__metadata__order_id__in=[str(pk) for pk in orders.values_list("pk", flat=True)]
    ).delete()
    SellerTransaction.objects.filter(order__in=orders).delete()
    Refund.objects.filter(order__in=orders).delete()
    Payment.objects.filter(order__in=orders).delete()
    OrderItem.objects.filter(order__in=orders).delete()
    orders.delete()
    Cart.objects.filter(user__username__startswith=f"bench-{run_id}-").delete()
    Product.objects.filter(slug__startswith=f"bench-{run_id}-").delete()
    User.objects.filter(username__startswith=f"bench-{run_id}-").delete()


def append_results(result):
    path = BENCH_DIR / "RESULTS.md"
    new = not path.exists()
    with path.open("a") as out:
        if new:
            out.write("# Benchmark results\n\n")
        out.write(
            f"\n## Checkout and payment webhooks ({result['date']})\n\n"
            "| phase | requests | concurrency | seconds | per second | p50 ms | p99 ms | database |\n"
            "|---|---|---|---|---|---|---|---|\n"
        )
        for name in ("checkout", "webhooks"):
            phase = result[name]
            out.write(
                f"| {name} | {phase['count']} | {result['concurrency']} | {phase['seconds']:.2f} "
                f"| {phase['rate']:.1f} | {phase['p50_ms']:.1f} | {phase['p99_ms']:.1f} | {result['database']} |\n"
            )
        out.write(
            f"\nCheckout: carts of 3 items; webhooks: every event delivered twice ({result['note']}).\n"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    call_command("migrate", verbosity=0, interactive=False)
    run_id = uuid.uuid4().hex[:8]
    fake = start_fake_stripe()
    process, base = start_server(fake.url)
    try:
        tokens = seed(run_id, args.buyers)
        with ThreadPoolExecutor(args.concurrency) as pool:
            checkout_latencies, order_ids, checkout_seconds = run_phase(pool, checkout, base, tokens)
            orders = Order.objects.select_related("payment").filter(pk__in=order_ids)
            payloads = [completion_payload(order) for order in orders for _ in range(2)]
            webhook_latencies, outcomes, webhook_seconds = run_phase(pool, deliver, base, payloads)
        paid = Order.objects.filter(pk__in=order_ids, payment_status="paid").count()
        if paid != len(order_ids) or outcomes.count("processed") != len(order_ids):
            raise SystemExit(f"Inconsistent run: {paid} paid of {len(order_ids)}; outcomes {set(outcomes)}")
    finally:
        process.terminate()
        process.wait(timeout=15)
        fake.stop()
        cleanup(run_id)
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "concurrency": args.concurrency,
        "checkout": summary(checkout_latencies, checkout_seconds),
        "webhooks": summary(webhook_latencies, webhook_seconds),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "note": f"{outcomes.count('duplicate')} duplicates ignored",
    }
    append_results(result)
    for name in ("checkout", "webhooks"):
        phase = result[name]
        print(
            f"{name}: {phase['count']} in {phase['seconds']:.2f} s = {phase['rate']:.1f}/s, "
            f"p50 {phase['p50_ms']:.1f} ms, p99 {phase['p99_ms']:.1f} ms"
        )
    return result


if __name__ == "__main__":
    main()
