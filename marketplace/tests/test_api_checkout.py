from decimal import Decimal

import pytest

from authentication.tests.factories import UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import CartItem, Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    add_image,
    fill_cart,
    route_checkout_sessions,
)
from payment_system.payments.models import Payment

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/payments/checkout_session/"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("25.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("500.00")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")
    settings.FRONTEND_URL = "https://shop.example"


@pytest.fixture
def buyer():
    return UserFactory()


def test_checkout_places_order_reserves_stock_and_opens_embedded_session(auth_client, buyer, fake_stripe):
    route_checkout_sessions(fake_stripe)
    chair = OrderingProductFactory(price=Decimal("120.00"), stock_quantity=5, name="Oak Chair")
    lamp = OrderingProductFactory(price=Decimal("35.50"), stock_quantity=3, name="Brass Lamp")
    add_image(chair)
    for product, shop in ((chair, "Oak & Ash"), (lamp, "")):  # no shop name: the username
        product.seller.profile.shop_name = shop
        product.seller.profile.save(update_fields=["shop_name"])
    fill_cart(buyer, (chair, 2), (lamp, 1))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 200
    order = Order.objects.get(buyer=buyer)
    assert response.json() == {
        "clientSecret": f"{order.payment.checkout_session_id}_secret_abc",
        "client_secret": response.json()["clientSecret"],
        "order_id": str(order.pk),
    }
    assert (order.status, order.payment_status) == ("pending_payment", "pending")
    # two sellers: each group below the free-shipping threshold pays the flat rate
    assert (order.subtotal, order.shipping_cost, order.tax_amount, order.total_amount) == (
        Decimal("275.50"),
        Decimal("50.00"),
        Decimal("27.55"),
        Decimal("353.05"),
    )
    items = {item.product_id: item for item in order.items.all()}
    assert items[chair.pk].product_name == "Oak Chair"
    assert items[chair.pk].unit_price == Decimal("120.00")
    assert items[chair.pk].seller_id == chair.seller_id
    # The storage name of the primary photo is snapshotted; URLs are made fresh when shown.
    assert items[chair.pk].product_image == chair.images.get(is_primary=True).image.name
    assert items[lamp.pk].product_image == ""
    assert Product.objects.get(pk=chair.pk).stock_quantity == 3
    assert Product.objects.get(pk=lamp.pk).stock_quantity == 2
    assert not CartItem.objects.filter(cart__user=buyer).exists()

    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    form = request.form
    assert request.idempotency_key == f"checkout-session-{order.pk}-1"
    assert form["ui_mode"] == "embedded"
    assert form["mode"] == "payment"
    assert form["metadata[order_id]"] == str(order.pk)
    assert form["payment_intent_data[metadata][order_id]"] == str(order.pk)
    assert form["client_reference_id"] == str(order.pk)
    assert form["customer_email"] == buyer.email
    assert form["return_url"] == (
        f"https://shop.example/checkout/confirmation/{order.pk}"
        f"?order_id={order.pk}&session_id={{CHECKOUT_SESSION_ID}}"
    )
    lines = {
        form[f"line_items[{i}][price_data][product_data][name]"]: (
            int(form[f"line_items[{i}][price_data][unit_amount]"]),
            int(form[f"line_items[{i}][quantity]"]),
        )
        for i in range(5)
    }
    assert "line_items[5][quantity]" not in form
    # each seller's tax is its own line, named with their shop
    assert lines == {
        "Oak Chair": (12000, 2),
        "Brass Lamp": (3550, 1),
        "Shipping": (5000, 1),
        "Tax (Oak & Ash)": (2400, 1),
        f"Tax ({lamp.seller.username})": (355, 1),
    }
    assert "automatic_tax[enabled]" not in form and "line_items[0][price_data][tax_behavior]" not in form
    assert sum(amount * quantity for amount, quantity in lines.values()) == 35305
    assert form["line_items[0][price_data][currency]"] == "usd"
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.amount, payment.status) == ("stripe", Decimal("353.05"), "pending")


def test_empty_server_cart_is_400_empty_cart(auth_client, buyer, fake_stripe):
    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 400
    assert response.json()["error"] == "EMPTY_CART"
    assert response.json()["detail"]
    assert not Order.objects.exists()
    assert fake_stripe.requests == []


def test_stock_gone_since_added_refuses_whole_checkout(auth_client, buyer, fake_stripe):
    route_checkout_sessions(fake_stripe)
    chair, lamp = OrderingProductFactory(stock_quantity=5), OrderingProductFactory(stock_quantity=5)
    fill_cart(buyer, (chair, 1), (lamp, 3))
    Product.objects.filter(pk=lamp.pk).update(stock_quantity=2)

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 409  # a conflict: the cart line was within the stock when added
    assert response.json()["code"] == "out_of_stock"
    assert not Order.objects.exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5
    assert CartItem.objects.filter(cart__user=buyer).count() == 2


def test_provider_refusal_undoes_the_order_and_refills_the_cart(auth_client, buyer, fake_stripe):
    route_checkout_sessions(fake_stripe, status=400, error="Invalid currency")
    chair = OrderingProductFactory(stock_quantity=5)
    fill_cart(buyer, (chair, 2))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 502
    assert response.json()["code"] == "payment_provider_error"
    order = Order.objects.get(buyer=buyer)
    assert (order.status, order.cancellation_reason, order.stock_released) == (
        "cancelled",
        "checkout_failed",
        True,
    )
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5
    assert CartItem.objects.get(cart__user=buyer).quantity == 2


def test_retry_reuses_open_session_then_renews_an_expired_one(auth_client, buyer, fake_stripe):
    route_checkout_sessions(fake_stripe)
    fill_cart(buyer, (OrderingProductFactory(), 1))
    client = auth_client(buyer)
    first = client.post(CHECKOUT).json()
    order_id = first["order_id"]
    session_id = Payment.objects.get(order_id=order_id).checkout_session_id
    fake_stripe.on(
        "GET",
        rf"/v1/checkout/sessions/{session_id}",
        (200, {"id": session_id, "status": "open", "client_secret": first["clientSecret"]}),
    )

    again = client.get(f"{CHECKOUT}retry/{order_id}/")

    assert again.status_code == 200
    assert again.json()["clientSecret"] == first["clientSecret"]
    fake_stripe.on(
        "GET", rf"/v1/checkout/sessions/{session_id}", (200, {"id": session_id, "status": "expired"})
    )
    renewed = client.get(f"{CHECKOUT}retry/{order_id}/")
    assert renewed.status_code == 200
    assert renewed.json()["clientSecret"] != first["clientSecret"]
    keys = [r.idempotency_key for r in fake_stripe.requests_to("POST", r"/v1/checkout/sessions")]
    assert keys == [f"checkout-session-{order_id}-1", f"checkout-session-{order_id}-2"]
    assert fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.+/expire") == []  # already expired


def test_retry_while_the_paid_session_awaits_its_webhook_opens_no_second_session(
    auth_client, buyer, fake_stripe
):
    route_checkout_sessions(fake_stripe)
    fill_cart(buyer, (OrderingProductFactory(), 1))
    client = auth_client(buyer)
    order_id = client.post(CHECKOUT).json()["order_id"]
    session_id = Payment.objects.get(order_id=order_id).checkout_session_id
    fake_stripe.on(
        "GET",
        rf"/v1/checkout/sessions/{session_id}",
        (200, {"id": session_id, "status": "complete", "payment_status": "paid"}),
    )

    retry = client.get(f"{CHECKOUT}retry/{order_id}/")

    assert retry.status_code == 400
    assert retry.json()["code"] == "order_not_payable"
    assert len(fake_stripe.requests_to("POST", r"/v1/checkout/sessions")) == 1
    assert Payment.objects.get(order_id=order_id).checkout_session_id == session_id


def test_retry_of_someone_elses_or_paid_order_is_refused(auth_client, buyer, fake_stripe):
    route_checkout_sessions(fake_stripe)
    fill_cart(buyer, (OrderingProductFactory(), 1))
    order_id = auth_client(buyer).post(CHECKOUT).json()["order_id"]

    other = auth_client(UserFactory()).get(f"{CHECKOUT}retry/{order_id}/")
    Order.objects.filter(pk=order_id).update(status="awaiting_shipment", payment_status="paid")
    paid = auth_client(buyer).get(f"{CHECKOUT}retry/{order_id}/")

    assert other.status_code == 404
    assert paid.status_code == 400
    assert paid.json()["code"] == "order_not_payable"


def test_dummy_gateway_completes_payment_through_the_webhook_path(auth_client, buyer, settings):
    settings.PAYMENT_GATEWAY = "dummy"
    fill_cart(buyer, (OrderingProductFactory(price=Decimal("600.00")), 1))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 200
    assert response.json()["clientSecret"].startswith("cs_dummy_")
    order = Order.objects.get(buyer=buyer)
    assert (order.status, order.payment_status) == ("awaiting_shipment", "paid")
    assert order.shipping_address["address_line1"] == "1 Demo Street"
    assert order.payment.status == "succeeded"
    assert order.seller_transactions.count() == 1
    from payment_system.webhooks.models import StripeWebhookEvent

    assert StripeWebhookEvent.objects.get().type == "checkout.session.completed"


@pytest.mark.parametrize("language, locale", [("pt-BR", "pt"), ("en", "en"), ("xx", "en")])
def test_the_stripe_checkout_page_follows_the_buyers_language(auth_client, fake_stripe, language, locale):
    buyer = UserFactory(language=language)
    route_checkout_sessions(fake_stripe)
    fill_cart(buyer, (OrderingProductFactory(), 1))
    assert auth_client(buyer).post(CHECKOUT).status_code == 200
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    assert request.form["locale"] == locale
