"""Tax by destination through the real URLs: the EU VAT table, settings for other countries, EU
sellers' VAT-inclusive prices, tax per line and per shipment, the Stripe line items."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from marketplace.ordering.models import Order
from marketplace.tax.models import VatRate
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    route_checkout_sessions,
    send_event,
)
from payment_system.payments.models import SellerTransaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eu_vat_rates")]
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"
EU = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("25.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.08")
    settings.TAX_RATES = {"US": Decimal("0"), "CH": Decimal("0.081")}
    settings.STRIPE_APPLICATION_FEE_PERCENT = Decimal("10")


def seller_in(country):
    seller = SellerFactory()
    seller.profile.country = country
    seller.profile.save()
    return seller


def session_lines(form) -> dict:
    """``{name: (unit amount in minor units, quantity)}`` of a Checkout Session's line items."""
    count = sum(1 for key in form if key.endswith("[quantity]"))
    return {
        form[f"line_items[{i}][price_data][product_data][name]"]: (
            int(form[f"line_items[{i}][price_data][unit_amount]"]),
            int(form[f"line_items[{i}][quantity]"]),
        )
        for i in range(count)
    }


def two_seller_cart(auth_client, *, prices=(Decimal("119.00"), Decimal("50.00")), currency="EUR"):
    """A chair of a PT seller (VAT-inclusive) and two lamps of a US seller in the buyer's cart."""
    maker, other, buyer = seller_in("PT"), seller_in("US"), UserFactory()
    chair = OrderingProductFactory(seller=maker, name="Chair", price=prices[0], currency=currency)
    lamp = OrderingProductFactory(seller=other, name="Lamp", price=prices[1], currency=currency)
    client = auth_client(buyer)
    assert client.post(f"{CART}add_item/", {"product_id": chair.pk}, format="json").status_code == 200
    assert (
        client.post(f"{CART}add_item/", {"product_id": lamp.pk, "quantity": 2}, format="json").status_code
        == 200
    )
    return maker, other, buyer, client, chair, lamp


def test_every_eu_country_has_its_standard_rate_seeded(eu_vat_rates):
    assert sorted(eu_vat_rates) == sorted(EU)
    rates = dict(VatRate.objects.values_list("country", "rate"))
    assert sorted(rates) == sorted(EU)
    assert (rates["DE"], rates["PT"], rates["HU"], rates["LU"], rates["FI"]) == (
        Decimal("0.1900"),
        Decimal("0.2300"),
        Decimal("0.2700"),
        Decimal("0.1700"),
        Decimal("0.2550"),
    )


def test_cart_for_germany_taxes_both_groups_at_19_and_eu_prices_include_it(auth_client):
    maker, other, _, client, chair, lamp = two_seller_cart(auth_client)

    cart = client.get(f"{CART}?country=DE").json()

    groups = {group["seller_id"]: group for group in cart["shipping_groups"]}
    inclusive, exclusive = groups[str(maker.pk)], groups[str(other.pk)]
    # PT seller: 119 + 25 shipping = 144 gross, of which 144 x 19/119 = 22.99 is VAT
    assert (inclusive["tax_rate"], inclusive["prices_include_tax"]) == ("0.1900", True)
    assert (inclusive["tax_amount"], inclusive["tax_included_amount"], inclusive["total_amount"]) == (
        "22.99",
        "22.99",
        "144.00",
    )
    # US seller: (100 + 25) x 19 % = 23.75 added on top
    assert (exclusive["tax_rate"], exclusive["prices_include_tax"]) == ("0.1900", False)
    assert (exclusive["tax_amount"], exclusive["tax_included_amount"], exclusive["total_amount"]) == (
        "23.75",
        "0.00",
        "148.75",
    )
    assert exclusive["shipping_tax_amount"] == "4.75"
    assert cart["totals"] == {
        "subtotal": "219.00",
        "shipping_cost": "50.00",
        "tax_amount": "46.74",
        "discount_amount": "0.00",
        "total_amount": "292.75",
    }
    # per line: each group's tax splits over its lines and shipping to the cent
    lines = {line["product"]["id"]: line for line in cart["items"]}
    assert lines[str(lamp.pk)]["tax_amount"] == "19.00"  # 100 x 19 %
    assert Decimal(lines[str(chair.pk)]["tax_amount"]) + Decimal(inclusive["shipping_tax_amount"]) == Decimal(
        "22.99"
    )


def test_checkout_keeps_tax_on_order_shipments_lines_and_stripe_matches(auth_client, api_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    maker, other, buyer, client, chair, lamp = two_seller_cart(auth_client)

    response = client.post(CHECKOUT, {"country": "DE"}, format="json")

    assert response.status_code == 200, response.content
    order = Order.objects.get(buyer=buyer)
    assert (order.tax_amount, order.tax_included_amount, order.total_amount) == (
        Decimal("46.74"),
        Decimal("22.99"),
        Decimal("292.75"),
    )
    parts = {shipment.seller_id: shipment for shipment in order.shipments.all()}
    assert (parts[maker.pk].tax_rate, parts[maker.pk].prices_include_tax) == (Decimal("0.1900"), True)
    assert (parts[maker.pk].tax_amount, parts[maker.pk].tax_included_amount) == (
        Decimal("22.99"),
        Decimal("22.99"),
    )
    assert (parts[other.pk].tax_amount, parts[other.pk].prices_include_tax) == (Decimal("23.75"), False)
    items = {item.product_id: item for item in order.items.all()}
    assert items[lamp.pk].tax_amount == Decimal("19.00")
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    form = request.form
    lines = session_lines(form)
    # The VAT inside the PT seller's prices is not charged twice; the other seller's added tax is
    # its own line, named with their shop.
    assert lines == {
        "Chair": (11900, 1),
        "Lamp": (5000, 2),
        "Shipping": (5000, 1),
        f"Tax ({other.username})": (2375, 1),
    }
    charged = sum(amount * quantity for amount, quantity in lines.values())
    assert charged == int(order.total_amount * 100)
    body = auth_client(buyer).get(f"/api/marketplace/orders/{order.pk}/").json()
    shipments = {shipment["seller_id"]: shipment for shipment in body["shipments"]}
    assert shipments[str(maker.pk)]["tax_included_amount"] == "22.99"
    assert shipments[str(other.pk)]["tax_rate"] == "0.1900"

    assert send_event(api_client, "checkout.session.completed", completed_session(order)).status_code == 200
    shares = {row.seller_id: row for row in SellerTransaction.objects.filter(payment__order=order)}
    assert shares[maker.pk].gross_amount == Decimal("144.00")
    assert shares[other.pk].gross_amount == Decimal("148.75")


def test_other_countries_take_their_rate_from_settings(auth_client):
    _, _, _, client, _, _ = two_seller_cart(auth_client)

    us = client.get(f"{CART}?country=US").json()
    ch = client.get(f"{CART}?country=CH").json()

    assert (us["totals"]["tax_amount"], us["totals"]["total_amount"]) == ("0.00", "269.00")
    # PT seller's 144 include 8.1 % (10.79); the US seller's 125 get 8.1 % added (10.13)
    assert (ch["totals"]["tax_amount"], ch["totals"]["total_amount"]) == ("20.92", "279.13")


def test_no_country_yet_keeps_the_flat_rate_on_the_items(auth_client):
    _, _, _, client, _, _ = two_seller_cart(auth_client)
    cart = client.get(CART).json()
    assert cart["totals"]["tax_amount"] == "17.52"  # 219 x 8 %


def test_a_country_with_no_rule_is_refused_when_asked_to(auth_client, fake_stripe, settings):
    route_checkout_sessions(fake_stripe)
    _, _, buyer, client, _, _ = two_seller_cart(auth_client)
    assert client.get(f"{CART}?country=BR").status_code == 200  # the flat rate by default

    settings.TAX_REFUSE_UNKNOWN_COUNTRIES = True
    response = client.get(f"{CART}?country=BR")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["country"]) == ("no_tax_rule", "BR")
    response = client.post(CHECKOUT, {"country": "BR"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "no_tax_rule")
    assert not Order.objects.filter(buyer=buyer).exists()
    assert client.get(CART).json()["items_count"] == 3


def test_staff_edit_a_rate_in_the_admin_and_carts_use_it(auth_client, client):
    _, _, _, buyer_client, _, _ = two_seller_cart(auth_client)
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)

    response = client.post("/admin/marketplace/vatrate/DE/change/", {"country": "DE", "rate": "0.2000"})
    assert response.status_code == 302, response.content
    assert VatRate.objects.get(pk="DE").rate == Decimal("0.2000")
    groups = buyer_client.get(f"{CART}?country=DE").json()["shipping_groups"]
    assert {group["tax_rate"] for group in groups} == {"0.2000"}

    refused = client.post("/admin/marketplace/vatrate/DE/change/", {"country": "DE", "rate": "1.5"})
    assert refused.status_code == 200  # the form shows the error
    assert VatRate.objects.get(pk="DE").rate == Decimal("0.2000")


def test_the_seller_sets_their_country_on_the_profile(auth_client):
    seller = SellerFactory()
    client = auth_client(seller)
    assert client.patch("/api/auth/profile/", {"country": "pt"}, format="json").status_code == 200
    assert client.get("/api/auth/profile/").json()["profile"]["country"] == "PT"
    assert client.patch("/api/auth/profile/", {"country": "Portugal"}, format="json").status_code == 400


def test_a_yen_order_is_taxed_in_whole_yen_and_stripe_gets_whole_yen(auth_client, fake_stripe):
    """JPY has no minor unit: the tax, its split and the Stripe amounts are whole yen."""
    route_checkout_sessions(fake_stripe)
    _, other, buyer, client, _, _ = two_seller_cart(
        auth_client, prices=(Decimal("1499"), Decimal("1499")), currency="JPY"
    )

    response = client.post(CHECKOUT, {"country": "DE"}, format="json")

    assert response.status_code == 200, response.content
    order = Order.objects.get(buyer=buyer)
    # PT seller: 1,524 (with 25 shipping) include 243.33 -> 243; US seller: 3,023 x 19 % = 574.37 -> 574
    assert (order.tax_amount, order.tax_included_amount, order.total_amount) == (
        Decimal("817"),
        Decimal("243"),
        Decimal("5121"),
    )
    assert all(item.tax_amount == item.tax_amount.to_integral_value() for item in order.items.all())
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    form = request.form
    lines = session_lines(form)
    assert form["line_items[0][price_data][currency]"] == "jpy"
    assert lines == {
        "Chair": (1499, 1),
        "Lamp": (1499, 2),
        "Shipping": (50, 1),
        f"Tax ({other.username})": (574, 1),
    }
    assert sum(amount * quantity for amount, quantity in lines.values()) == 5121
