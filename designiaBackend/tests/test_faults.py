"""Fault injection against services of the test's own: a private redis-server on a port of its own
(never the shared one) is SIGKILLed and started again during browsing and checkout, and the fake
Stripe answers 500 or hangs past the client's timeout. Each test asserts the final state."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from channels.layers import channel_layers

from authentication.tests.factories import UserFactory
from designiaBackend.cache import cache_available, cache_circuit_reset
from designiaBackend.outbox.models import OutboxMessage
from designiaBackend.outbox.relay import outbox_relay_pending
from designiaBackend.tests.ops.stack import celery_broker
from marketplace.catalog.models import Product
from marketplace.ordering.models import CartItem, Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    fill_cart,
    placed_order,
    route_checkout_sessions,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = "/api/marketplace/products/"
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server process of this test: ``kill()`` (SIGKILL) and ``start()`` on the same port."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server, our arguments
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def client(self):
        return redis.Redis.from_url(self.url)


@pytest.fixture
def private_redis():
    from designiaBackend.celery import app as celery_app

    server = PrivateRedis()
    server.start()
    _forget_result_backend(celery_app)  # one built on another broker would be reused
    yield server
    if server.process.poll() is None:
        server.kill()
    _forget_result_backend(celery_app)


def _forget_result_backend(celery_app):
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_everywhere(private_redis, settings):
    """Cache and channel layer on the private Redis (tasks still run inline unless a test sends them)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "designiaBackend.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        },
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "designiaBackend.api.channel_layer.BoundedPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": private_redis.url}], "prefix": "faults:asgi", "capacity": 100},
        }
    }
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 60
    channel_layers.backends = {}
    cache_circuit_reset()
    yield private_redis
    channel_layers.backends = {}
    cache_circuit_reset()


def test_browsing_survives_redis_killed_and_uses_the_cache_again_after_it_is_back(
    redis_everywhere, api_client, settings
):
    OrderingProductFactory(name="Oak Chair", price=Decimal("120.00"))
    warm = api_client.get(PRODUCTS)
    assert warm.status_code == 200
    assert redis_everywhere.client().dbsize() > 0  # the list is cached in the private Redis

    redis_everywhere.kill()
    during = [api_client.get(PRODUCTS) for _ in range(5)]

    assert [response.status_code for response in during] == [200] * 5
    assert all(response.json() == warm.json() for response in during)
    assert not cache_available()

    redis_everywhere.start()  # an empty Redis on the same port
    settings.CACHE_CIRCUIT_OPEN_SECONDS = 0  # the circuit's few seconds are over
    cache_circuit_reset()
    after = api_client.get(PRODUCTS)
    assert after.status_code == 200 and after.json() == warm.json()
    assert redis_everywhere.client().dbsize() > 0  # cached again
    assert cache_available()


def test_checkout_with_redis_killed_keeps_every_order_with_its_session(
    redis_everywhere, auth_client, fake_stripe
):
    route_checkout_sessions(fake_stripe)
    chair = OrderingProductFactory(price=Decimal("80.00"), stock_quantity=10)
    buyers = [UserFactory() for _ in range(3)]
    for buyer in buyers:
        assert (
            auth_client(buyer)
            .post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 2}, format="json")
            .status_code
            == 200
        )

    redis_everywhere.kill()
    answers = [auth_client(buyer).post(CHECKOUT) for buyer in buyers]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    orders = Order.objects.filter(buyer__in=buyers)
    assert orders.count() == 3
    assert all(order.payment.checkout_session_id for order in orders)
    # Stock equals the live orders: 3 orders of 2 units out of 10.
    assert Product.objects.get(pk=chair.pk).stock_quantity == 4
    assert not CartItem.objects.filter(cart__user__in=buyers).exists()


def test_an_e_mail_recorded_while_the_broker_is_killed_reaches_the_queue_once_after_it_is_back(
    private_redis, django_capture_on_commit_callbacks
):
    from marketplace.ordering.services.checkout import order_place_from_cart
    from marketplace.ordering.services.orders import send_order_email_on_commit

    buyer = UserFactory()
    fill_cart(buyer, (OrderingProductFactory(stock_quantity=3), 1))
    order = order_place_from_cart(buyer=buyer)
    prefix = "faults-broker:"

    with celery_broker(private_redis.url, prefix):
        private_redis.kill()
        with django_capture_on_commit_callbacks(execute=True):
            send_order_email_on_commit(order, "cancelled")
        message = OutboxMessage.objects.get(key=f"order-email-{order.pk}-cancelled")
        assert message.relayed_at is None  # the broker refused it: kept, not lost

        private_redis.start()
        assert outbox_relay_pending() == 1
        assert outbox_relay_pending() == 0  # relayed once; a second run sends nothing
        queued = private_redis.client().llen(f"{prefix}email_tasks")
    assert queued == 1
    message.refresh_from_db()
    assert message.relayed_at is not None and message.done_at is None  # a worker would run it now


def test_stripe_answering_500_at_checkout_undoes_the_order(auth_client, fake_stripe):
    route_checkout_sessions(fake_stripe, status=500, error="Stripe is down")
    buyer = UserFactory()
    chair = OrderingProductFactory(stock_quantity=5)
    fill_cart(buyer, (chair, 2))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 503
    assert response.json()["code"]
    assert not Order.objects.filter(buyer=buyer, status="pending_payment").exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5
    assert CartItem.objects.get(cart__user=buyer).quantity == 2  # the cart is back


def test_stripe_hanging_past_its_timeout_at_checkout_undoes_the_order(auth_client, fake_stripe, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 0.3
    release = []

    def hang(request, match):
        time.sleep(1.0)  # longer than the client waits
        release.append(True)
        return 500, {"error": {"type": "api_error", "message": "late"}}

    fake_stripe.on("POST", r"/v1/checkout/sessions$", hang)
    buyer = UserFactory()
    chair = OrderingProductFactory(stock_quantity=5)
    fill_cart(buyer, (chair, 1))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 503
    assert not Order.objects.filter(buyer=buyer, status="pending_payment").exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5
    assert CartItem.objects.get(cart__user=buyer).quantity == 1


# --- a Celery worker SIGKILLed while it sends an e-mail batch -------------------------------------


class SmtpSink:
    """A minimal SMTP server on a port of its own. While ``stalling`` it accepts connections and says
    nothing (a worker sending mail hangs there, mid-task); afterwards it takes every message."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stalling = True
        self.stalled = threading.Event()
        self.recipients: list[str] = []
        self._held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            if self.stalling:
                self._held.append(connection)
                self.stalled.set()
                continue
            threading.Thread(target=self._session, args=(connection,), daemon=True).start()

    def _session(self, connection):
        reader = connection.makefile("rb")
        connection.sendall(b"220 sink\r\n")
        while line := reader.readline():
            verb = line.strip().split(b" ")[0].upper()
            if verb in (b"EHLO", b"HELO"):
                connection.sendall(b"250 sink\r\n")
            elif verb == b"RCPT":
                self.recipients.append(line.decode().split("<", 1)[1].split(">", 1)[0])
                connection.sendall(b"250 ok\r\n")
            elif verb == b"DATA":
                connection.sendall(b"354 go\r\n")
                while reader.readline() not in (b".\r\n", b""):
                    pass
                connection.sendall(b"250 queued\r\n")
            elif verb == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                break
            else:
                connection.sendall(b"250 ok\r\n")
        connection.close()

    def serve_normally(self):
        self.stalling = False
        for connection in self._held:
            connection.close()

    def close(self):
        self.server.close()


def _start_worker(private_redis, prefix, sink, log_path, queues="email_tasks", **extra_env):
    from tests.fixtures.db import database_url_for_processes

    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "REDIS_URL": private_redis.url,
        "CELERY_BROKER_URL": private_redis.url,
        "CELERY_RESULT_BACKEND": private_redis.url,
        "CELERY_KEY_PREFIX": prefix,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "2",  # a killed worker's task comes back at once here
        "CACHE_KEY_PREFIX": f"{prefix}cache",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "120",
        **extra_env,
    }
    command = [sys.executable, "-m", "celery", "-A", "designiaBackend", "worker", "-Q", queues]
    command += [
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
        "-n",
        f"faults-{time.time_ns()}@%h",
    ]
    return subprocess.Popen(  # noqa: S603 - our interpreter and arguments
        command, cwd=ROOT, env=env, stdout=open(log_path, "a"), stderr=subprocess.STDOUT  # noqa: SIM115
    )


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_an_e_mail_batch_sends_each_e_mail_once_after_recovery(
    private_redis, tmp_path
):
    from django.db import transaction

    from designiaBackend.api.after_commit import must_happen
    from marketplace.ordering.services.checkout import order_place_from_cart

    buyers = [UserFactory() for _ in range(3)]
    orders = []
    for buyer in buyers:
        fill_cart(buyer, (OrderingProductFactory(stock_quantity=3), 1))
        orders.append(order_place_from_cart(buyer=buyer))
    prefix = f"faults-{time.time_ns()}:"
    sink = SmtpSink()
    log_path = tmp_path / "worker.log"
    with celery_broker(private_redis.url, prefix):
        with transaction.atomic():
            must_happen(
                "marketplace.ordering.tasks.order_emails_send_task",
                args=[[str(order.pk) for order in orders], "cancelled"],
                key="faults-batch",
            )
        message = OutboxMessage.objects.get(key="faults-batch")
        assert message.relayed_at is not None  # on the private broker's email_tasks queue

        first = _start_worker(private_redis, prefix, sink, log_path)
        try:
            assert sink.stalled.wait(timeout=180), log_path.read_text()[-3000:]  # mid-batch now
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            assert sink.recipients == []
            message.refresh_from_db()
            assert message.done_at is None

            sink.serve_normally()
            second = _start_worker(private_redis, prefix, sink, log_path)
            try:
                _wait(
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


# --- Stripe failing during refunds ---------------------------------------------------------------


def test_a_refund_while_stripe_answers_500_is_sent_once_after_stripe_recovers(
    auth_client, api_client, fake_stripe, settings
):
    from marketplace.tests.ordering_factories import paid_order
    from payment_system.payments.models import Refund

    buyer = UserFactory()
    product = OrderingProductFactory(price=Decimal("90.00"), stock_quantity=4)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))
    stripe_down = [True]
    answered = []

    def refunds(request, match):
        if stripe_down[0]:
            return 500, {"error": {"type": "api_error", "message": "Stripe is down"}}
        answered.append(request.idempotency_key)
        return 200, {
            "id": "re_test_fault",
            "object": "refund",
            "status": "pending",
            "amount": int(request.form["amount"]),
            "payment_intent": request.form["payment_intent"],
            "metadata": {"refund_id": request.form.get("metadata[refund_id]")},
        }

    fake_stripe.on("POST", r"/v1/refunds", refunds)

    response = auth_client(buyer).post(
        f"/api/marketplace/orders/{order.pk}/cancel/", {"reason": "other"}, format="json"
    )

    assert response.status_code == 200, response.content  # the cancel stands; the refund waits in the outbox
    refund = Refund.objects.get(order=order)
    assert refund.status == "pending"
    message = OutboxMessage.objects.get(key=f"refund-submit-{refund.pk}")
    assert message.done_at is None and "Stripe is down" in message.last_error  # to be retried
    tried = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert tried and {request.idempotency_key for request in tried} == {refund.idempotency_key}

    stripe_down[0] = False
    settings.OUTBOX_REDELIVER_AFTER_MINUTES = 0  # the redelivery window has passed
    assert outbox_relay_pending() == 1
    assert outbox_relay_pending() == 0

    assert answered == [refund.idempotency_key]  # one refund reached Stripe, with the same key
    refund.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("requested", "re_test_fault")
    message.refresh_from_db()
    assert message.done_at is not None


# --- chat with Redis killed ------------------------------------------------------------------------


def test_a_chat_message_over_rest_is_stored_while_redis_is_killed(redis_everywhere, auth_client):
    from authentication.tests.factories import SellerFactory
    from chat.models import Message
    from chat.tests.factories import ProductFactory, thread_between

    buyer, seller = UserFactory(), SellerFactory()
    thread = thread_between(buyer, seller, product=ProductFactory(seller=seller))
    client = auth_client(buyer)

    redis_everywhere.kill()
    response = client.post(f"/api/chat/conversations/{thread.pk}/messages/", {"text": "still there?"})

    assert response.status_code == 201, response.content
    assert list(Message.objects.filter(thread=thread).values_list("text", flat=True)) == ["still there?"]
    # The rate limit and the pushes needed Redis: the limit let it through, the pushes were dropped.
    assert not cache_available()


def test_view_counters_and_their_throttle_fail_open_while_redis_is_killed(redis_everywhere, api_client):
    product = OrderingProductFactory()

    redis_everywhere.kill()
    response = api_client.post(
        "/api/activity/track/", {"product_id": product.pk, "action": "click"}, format="json"
    )

    assert response.status_code == 202
    assert response.json() == {"recorded": False}  # dropped, not failed


# --- a Celery worker SIGKILLed while it runs the payment-timeout sweep ---------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_the_timeout_sweep_leaves_every_order_cancelled_once(
    private_redis, fake_stripe, tmp_path
):
    from datetime import timedelta

    from django.utils import timezone

    from payment_system.Tasks import check_payment_timeouts_task

    chair = OrderingProductFactory(stock_quantity=10)
    orders = []
    for _ in range(4):
        orders.append(placed_order((chair, 2)))
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
    queues = "payment_tasks,email_tasks"
    with celery_broker(private_redis.url, prefix):
        check_payment_timeouts_task.apply_async(ignore_result=True)
        first = _start_worker(private_redis, prefix, sink, log_path, queues, **stripe_env)
        try:
            assert hanging.wait(timeout=180), log_path.read_text()[-3000:]  # mid-sweep now
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            # The batch that was done before the kill stays done; the last order is still open.
            assert Order.objects.get(pk=recent.pk).status == "pending_payment"
            release.set()
            second = _start_worker(private_redis, prefix, sink, log_path, queues, **stripe_env)
            try:
                _wait(
                    lambda: Order.objects.filter(pk__in=[o.pk for o in orders], status="cancelled").count()
                    == 4,
                    180,
                    "the redelivered sweep did not cancel every order",
                )
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            release.set()
            if first.poll() is None:
                first.kill()
            sink.close()

    assert Product.objects.get(pk=chair.pk).stock_quantity == 10  # released once per order
    keys = list(
        OutboxMessage.objects.filter(task__endswith="order_emails_send_task").values_list("kwargs", "args")
    )
    assert len(keys) == 1 and sorted(keys[0][1][0]) == sorted(str(o.pk) for o in orders[:3])
    assert OutboxMessage.objects.filter(key=f"order-email-{recent.pk}-cancelled").count() == 1
