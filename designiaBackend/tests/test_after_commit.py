"""The one after-commit helper: best-effort effects never fail a request; must-happen effects go
through the outbox and run once per key, also when the broker refused them at commit time."""

from decimal import Decimal

import pytest
from channels.layers import channel_layers
from django.core import mail
from prometheus_client import REGISTRY

from authentication.tests.factories import UserFactory
from designiaBackend.outbox.models import OutboxMessage
from designiaBackend.outbox.relay import outbox_relay_pending
from designiaBackend.outbox.tasks import outbox_deliver_task
from designiaBackend.tests.ops.stack import celery_broker
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, route_checkout_sessions

pytestmark = pytest.mark.django_db

CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"
NOBODY_LISTENS = "redis://127.0.0.1:1/0"  # connection refused at once: Redis is down


def failures(effect):
    return REGISTRY.get_sample_value("designia_after_commit_failures_total", {"effect": effect}) or 0.0


@pytest.fixture
def channel_layer_down(settings):
    """The channel layer's Redis cannot be reached (the cache and the database still can)."""
    layer = settings.CHANNEL_LAYERS["default"]
    config = {**layer.get("CONFIG", {}), "hosts": [NOBODY_LISTENS]}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": config}
    }
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


def test_cart_add_and_checkout_answer_normally_with_the_channel_layer_down(
    channel_layer_down, auth_client, fake_stripe
):
    """The bug of issue 18: the cart-count push raised after the commit, so checkout answered 500
    and never opened the payment session of the order it had saved."""
    route_checkout_sessions(fake_stripe)
    buyer = UserFactory()
    chair = OrderingProductFactory(price=Decimal("120.00"), stock_quantity=5)
    client = auth_client(buyer)
    before = failures("push_cart_updated")

    added = client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 2}, format="json")
    checkout = client.post(CHECKOUT)

    assert added.status_code == 200
    assert added.json()["items_count"] == 2
    assert checkout.status_code == 200, checkout.content
    order = Order.objects.get(buyer=buyer)
    assert checkout.json()["order_id"] == str(order.pk)
    assert order.payment.checkout_session_id.startswith("cs_test_")
    assert order.status == "pending_payment"
    assert len(fake_stripe.requests_to("POST", r"/v1/checkout/sessions")) == 1
    # the add and the checkout's cart clear each tried to push the count
    assert failures("push_cart_updated") - before == 2


def test_a_best_effort_failure_is_logged_and_counted(caplog, django_capture_on_commit_callbacks):
    from designiaBackend.api.after_commit import best_effort

    def broken():
        raise ConnectionError("redis is down")

    before = failures("test_effect")
    with django_capture_on_commit_callbacks(execute=True):
        best_effort(broken, what="test_effect")

    assert failures("test_effect") - before == 1
    assert "Best-effort side effect test_effect failed after commit" in caplog.text


def _cancel_mail_order(buyer):
    """An e-mail that must happen: the order e-mail of a cancelled order, through the service."""
    from marketplace.ordering.services.orders import send_order_email_on_commit

    product = OrderingProductFactory(price=Decimal("10.00"), stock_quantity=3)
    fill_cart(buyer, (product, 1))
    from marketplace.ordering.services.checkout import order_place_from_cart

    order = order_place_from_cart(buyer=buyer, country="FR")
    mail.outbox.clear()
    return order, send_order_email_on_commit


def test_a_must_happen_task_waits_in_the_outbox_while_the_broker_is_down_and_runs_once(
    django_capture_on_commit_callbacks,
):
    buyer = UserFactory()
    order, send_order_email = _cancel_mail_order(buyer)

    with celery_broker(NOBODY_LISTENS, "test-down:"):
        with django_capture_on_commit_callbacks(execute=True):
            send_order_email(order, "cancelled")
        message = OutboxMessage.objects.get(key=f"order-email-{order.pk}-cancelled")
        assert (message.relayed_at, message.done_at) == (None, None)
        assert "OperationalError" in message.last_error or "Connection" in message.last_error
        assert outbox_relay_pending() == 0  # still down: the message stays
    assert mail.outbox == []

    # The broker is back (tasks run inline here): the beat relay sends it, once.
    assert outbox_relay_pending() == 1
    message.refresh_from_db()
    assert message.relayed_at is not None and message.done_at is not None
    assert [m.to for m in mail.outbox] == [[buyer.email]]

    # A relay retry or a redelivery of the same message sends nothing more.
    assert outbox_relay_pending() == 0
    outbox_deliver_task.delay(message.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order, "cancelled")  # the same key: recorded before, a no-op
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.filter(key__startswith=f"order-email-{order.pk}").count() == 1


def test_a_must_happen_task_rolled_back_with_its_change_is_never_sent(django_capture_on_commit_callbacks):
    from django.db import transaction

    buyer = UserFactory()
    order, send_order_email = _cancel_mail_order(buyer)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send_order_email(order, "cancelled")
        raise RuntimeError("the change fails")

    assert not OutboxMessage.objects.filter(key=f"order-email-{order.pk}-cancelled").exists()
    assert mail.outbox == []


def test_no_application_code_schedules_after_commit_but_the_helper():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and path.name != "after_commit.py"
        and "transaction.on_commit(" in path.read_text()
    ]
    assert offenders == []


def test_done_messages_are_purged_after_a_week():
    from datetime import timedelta

    from django.utils import timezone

    from designiaBackend.outbox.relay import outbox_purge_done

    now = timezone.now()
    old = OutboxMessage.objects.create(key="old", task="t", done_at=now - timedelta(days=8))
    recent = OutboxMessage.objects.create(key="recent", task="t", done_at=now - timedelta(days=1))
    waiting = OutboxMessage.objects.create(key="waiting", task="t")

    assert outbox_purge_done() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
