"""The tax interface (``TAX_PROVIDER``) through the real URLs: the default table provider with its
default rate 0, and Stripe Tax (automatic tax on the session, the order keeping what Stripe
reports on ``checkout.session.completed``), Stripe faked at the HTTP boundary."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import completed_session, route_checkout_sessions, send_event
from marketplace.tests.test_tax_by_destination import two_seller_cart
from payment_system.payments.models import Payment, SellerTransaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eu_vat_rates")]
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("25.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_RATES = {"US": Decimal("0")}
    settings.STRIPE_APPLICATION_FEE_PERCENT = Decimal("10")


def test_the_shipped_defaults_are_the_table_provider_and_no_tax_where_no_rule():
    """The settings module itself, read with no tax variable in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAX_")}
    env["DJANGO_SETTINGS_MODULE"] = "designiaBackend.settings"
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TAX_PROVIDER, s.TAX_DEFAULT_RATE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["table", "0"]


def test_a_country_with_no_rule_pays_no_tax_by_default_and_the_setting_sets_it(auth_client, settings):
    settings.TAX_DEFAULT_RATE = Decimal("0")
    _, _, _, client, _, _ = two_seller_cart(auth_client)

    none_set = client.get(f"{CART}?country=BR").json()
    assert (none_set["totals"]["tax_amount"], none_set["totals"]["total_amount"]) == ("0.00", "269.00")

    settings.TAX_DEFAULT_RATE = Decimal("0.05")
    rated = client.get(f"{CART}?country=BR").json()
    assert rated["totals"]["tax_amount"] == "10.95"  # 219 x 5 %, on the items


def stripe_tax_session(order, *, amount_tax_minor, amount_total_minor):
    """``checkout.session.completed`` of a session Stripe Tax computed (as Stripe sends it)."""
    session = completed_session(order, amount_minor=amount_total_minor)
    session["automatic_tax"] = {"enabled": True, "status": "complete"}
    session["total_details"] = {"amount_discount": 0, "amount_shipping": 0, "amount_tax": amount_tax_minor}
    return session


def session_lines(form):
    count = sum(1 for key in form if key.endswith("[quantity]"))
    return {
        form[f"line_items[{i}][price_data][product_data][name]"]: (
            int(form[f"line_items[{i}][price_data][unit_amount]"]),
            int(form[f"line_items[{i}][quantity]"]),
            form.get(f"line_items[{i}][price_data][tax_behavior]"),
        )
        for i in range(count)
    }


def test_stripe_tax_computes_on_the_session_and_the_order_keeps_what_stripe_reports(
    auth_client, api_client, fake_stripe, settings
):
    settings.TAX_PROVIDER = "stripe"
    route_checkout_sessions(fake_stripe)
    maker, other, buyer, client, chair, lamp = two_seller_cart(auth_client)  # maker in PT, other in US
    maker.profile.shop_name = "Oak & Ash"
    maker.profile.save(update_fields=["shop_name"])

    cart = client.get(f"{CART}?country=DE").json()
    assert cart["totals"]["tax_amount"] == "0.00"  # Stripe computes it on its page
    response = client.post(CHECKOUT, {"country": "DE"}, format="json")

    assert response.status_code == 200, response.content
    order = Order.objects.get(buyer=buyer)
    assert (order.tax_amount, order.total_amount) == (Decimal("0.00"), Decimal("269.00"))
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    assert request.form["automatic_tax[enabled]"] == "true"
    # no tax lines of our own; the PT seller's prices include VAT, the US seller's do not
    assert session_lines(request.form) == {
        "Chair": (11900, 1, "inclusive"),
        "Lamp": (5000, 2, "exclusive"),
        "Shipping (Oak & Ash)": (2500, 1, "inclusive"),
        f"Shipping ({other.username})": (2500, 1, "exclusive"),
    }

    # Stripe Tax at 19 % (DE): 22.99 inside the PT seller's 144.00, 23.75 added to the US seller's 125.00
    session = stripe_tax_session(order, amount_tax_minor=4674, amount_total_minor=29275)
    assert send_event(api_client, "checkout.session.completed", session).json()["outcome"] == "processed"

    order.refresh_from_db()
    assert (order.status, order.needs_review) == ("awaiting_shipment", False)
    assert (order.tax_amount, order.tax_included_amount, order.total_amount) == (
        Decimal("46.74"),
        Decimal("22.99"),
        Decimal("292.75"),
    )
    parts = {shipment.seller_id: shipment for shipment in order.shipments.all()}
    assert (
        parts[maker.pk].tax_amount,
        parts[maker.pk].tax_included_amount,
        parts[maker.pk].total_amount,
    ) == (
        Decimal("22.99"),
        Decimal("22.99"),
        Decimal("144.00"),
    )
    assert (
        parts[other.pk].tax_amount,
        parts[other.pk].tax_included_amount,
        parts[other.pk].total_amount,
    ) == (
        Decimal("23.75"),
        Decimal("0.00"),
        Decimal("148.75"),
    )
    assert parts[other.pk].tax_rate == Decimal("0.1900")
    items = {item.product_id: item for item in order.items.all()}
    assert items[lamp.pk].tax_amount == Decimal("19.00")  # 23.75 over 100.00 of items and 25.00 shipping
    assert Payment.objects.get(order=order).amount == Decimal("292.75")
    shares = {row.seller_id: row for row in SellerTransaction.objects.filter(order=order)}
    assert (shares[maker.pk].gross_amount, shares[other.pk].gross_amount) == (
        Decimal("144.00"),
        Decimal("148.75"),
    )
    body = auth_client(buyer).get(f"/api/marketplace/orders/{order.pk}/").json()
    assert (body["tax_amount"], body["tax_included_amount"], body["total_amount"]) == (
        "46.74",
        "22.99",
        "292.75",
    )
    shipments = {shipment["seller_id"]: shipment for shipment in body["shipments"]}
    assert shipments[str(maker.pk)]["tax_included_amount"] == "22.99"
    assert shipments[str(other.pk)]["tax_included_amount"] == "0.00"
    seller_view = auth_client(maker).get(f"/api/marketplace/orders/{order.pk}/").json()
    assert (seller_view["tax_amount"], seller_view["tax_included_amount"]) == ("22.99", "22.99")


def test_stripe_tax_remainder_cent_goes_to_the_last_shipment(auth_client, api_client, fake_stripe, settings):
    """Two tax-exclusive sellers of equal totals and an odd cent of tax: the split is exact."""
    settings.TAX_PROVIDER = "stripe"
    route_checkout_sessions(fake_stripe)
    maker, other, buyer, client, _, _ = two_seller_cart(auth_client)
    maker.profile.country = "US"
    maker.profile.save(update_fields=["country"])
    assert client.post(CHECKOUT, {"country": "US"}, format="json").status_code == 200
    order = Order.objects.get(buyer=buyer)  # 119 + 25 and 100 + 25, both exclusive

    session = stripe_tax_session(order, amount_tax_minor=1001, amount_total_minor=26900 + 1001)
    send_event(api_client, "checkout.session.completed", session)

    order.refresh_from_db()
    first, last = order.shipments.order_by("pk")
    # the first shipment gets its rounded share (144/269 or 125/269 of 10.01: 5.36 or 4.65), the
    # last one (by pk) the remainder
    first_base = first.subtotal + first.shipping_cost
    assert (
        first.tax_amount
        == {Decimal("144.00"): Decimal("5.36"), Decimal("125.00"): Decimal("4.65")}[first_base]
    )
    assert last.tax_amount == Decimal("10.01") - first.tax_amount
    assert first.tax_amount + last.tax_amount == order.tax_amount == Decimal("10.01")
    shipments = [first, last]
    assert sum(shipment.total_amount for shipment in shipments) == order.total_amount == Decimal("279.01")
    assert order.status == "awaiting_shipment"


def test_stripe_tax_that_cannot_fit_the_order_flags_it_for_review(
    auth_client, api_client, fake_stripe, settings
):
    settings.TAX_PROVIDER = "stripe"
    route_checkout_sessions(fake_stripe)
    _, _, buyer, client, _, _ = two_seller_cart(auth_client)
    assert client.post(CHECKOUT, {"country": "DE"}, format="json").status_code == 200
    order = Order.objects.get(buyer=buyer)

    # Stripe says it added 30.00 of tax but reports only 10.00 of tax in all
    session = stripe_tax_session(order, amount_tax_minor=1000, amount_total_minor=29900)
    assert send_event(api_client, "checkout.session.completed", session).json()["outcome"] == "processed"

    order.refresh_from_db()
    assert (order.status, order.needs_review) == ("pending_payment", True)
    assert "Stripe Tax" in order.review_reason
    assert (order.tax_amount, order.total_amount) == (Decimal("0.00"), Decimal("269.00"))
    assert not SellerTransaction.objects.filter(order=order).exists()
