"""Shipping priced by profile through the real URLs: the free-shipping threshold of each seller's
part, weightless products at the base price, the rest-of-world zone, the Stripe session's line
items against the order, and the destination country when the buyer gives none."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, route_checkout_sessions

pytestmark = pytest.mark.django_db
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"
PROFILES = "/api/marketplace/shipping-profiles/"


@pytest.fixture(autouse=True)
def pricing(settings):
    # The flat rule would give 99.00 to anything that is not priced by a profile: never seen below.
    settings.SHIPPING_FLAT_RATE = Decimal("99.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("100000.00")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")


def profile(auth_client, seller, *zones, **fields):
    """The seller's profile through the API (their first is their default)."""
    response = auth_client(seller).post(
        PROFILES, {"name": fields.pop("name", "Parcels"), "zones": list(zones), **fields}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def cart(auth_client, buyer, country=None):
    response = auth_client(buyer).get(CART + (f"?country={country}" if country else ""))
    assert response.status_code == 200, response.content
    body = response.json()
    return body, {group["seller_id"]: group for group in body["shipping_groups"]}


def checkout(auth_client, buyer, fake_stripe, body=None):
    route_checkout_sessions(fake_stripe)
    response = auth_client(buyer).post(CHECKOUT, body or {}, format="json")
    assert response.status_code == 200, response.content
    return Order.objects.get(pk=response.json()["order_id"])


def session_form(fake_stripe):
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    return request.form


def session_lines(form) -> list[tuple[str, int, int]]:
    """``[(name, unit amount in cents, quantity)]`` of the session's line items, in order."""
    count = len({m.group(1) for key in form if (m := re.match(r"line_items\[(\d+)\]", key))})
    return [
        (
            form[f"line_items[{i}][price_data][product_data][name]"],
            int(form[f"line_items[{i}][price_data][unit_amount]"]),
            int(form[f"line_items[{i}][quantity]"]),
        )
        for i in range(count)
    ]


def test_the_free_shipping_threshold_applies_to_each_sellers_part_alone(auth_client, fake_stripe):
    potter, weaver, buyer = SellerFactory(), SellerFactory(), UserFactory()
    zone = {"countries": ["PT"], "base_price": "10.00"}
    profile(auth_client, potter, zone, free_shipping_threshold="100.00")
    profile(auth_client, weaver, zone, free_shipping_threshold="100.00")
    bowl = OrderingProductFactory(seller=potter, price=Decimal("50.00"))
    rug = OrderingProductFactory(seller=weaver, price=Decimal("99.99"))
    fill_cart(buyer, (bowl, 2), (rug, 1))

    body, groups = cart(auth_client, buyer, "PT")
    order = checkout(auth_client, buyer, fake_stripe, {"country": "PT"})

    # The potter's part reaches the threshold exactly: free. The weaver's part stays below it and
    # pays, though the whole order (199.99) is far above 100.00.
    assert (groups[str(potter.pk)]["shipping_cost"], groups[str(weaver.pk)]["shipping_cost"]) == (
        "0.00",
        "10.00",
    )
    assert body["totals"]["subtotal"] == "199.99"
    assert body["totals"]["shipping_cost"] == "10.00"
    parts = {s.seller_id: s.shipping_cost for s in order.shipments.all()}
    assert parts == {potter.pk: Decimal("0.00"), weaver.pk: Decimal("10.00")}
    assert order.shipping_cost == Decimal("10.00")


def test_products_without_weight_cost_the_base_price(auth_client):
    maker = SellerFactory()
    profile(auth_client, maker, {"countries": ["PT"], "base_price": "12.00", "price_per_kg": "3.00"})
    vase = OrderingProductFactory(seller=maker, weight=None)
    lamp = OrderingProductFactory(seller=maker, weight=Decimal("2.00"))
    only_vases, vase_and_lamp = UserFactory(), UserFactory()
    fill_cart(only_vases, (vase, 2))
    fill_cart(vase_and_lamp, (vase, 1), (lamp, 1))

    _, weightless = cart(auth_client, only_vases, "PT")
    _, mixed = cart(auth_client, vase_and_lamp, "PT")

    assert weightless[str(maker.pk)]["shipping_cost"] == "12.00"  # no weight, whatever the quantity
    assert mixed[str(maker.pk)]["shipping_cost"] == "18.00"  # 12.00 + 2 kg x 3.00; the vase adds nothing


def test_a_country_no_zone_names_is_priced_by_the_rest_of_world_zone(auth_client, fake_stripe):
    maker, buyer = SellerFactory(), UserFactory()
    profile(
        auth_client,
        maker,
        {"name": "Home", "countries": ["PT"], "base_price": "10.00", "price_per_kg": "1.00"},
        {"name": "World", "rest_of_world": True, "base_price": "40.00", "price_per_kg": "5.00"},
    )
    chair = OrderingProductFactory(seller=maker, price=Decimal("200.00"), weight=Decimal("2.00"))
    fill_cart(buyer, (chair, 1))

    _, home = cart(auth_client, buyer, "PT")
    _, abroad = cart(auth_client, buyer, "jp")
    order = checkout(auth_client, buyer, fake_stripe, {"country": "JP"})

    assert home[str(maker.pk)]["shipping_cost"] == "12.00"  # 10.00 + 2 kg x 1.00
    assert (abroad[str(maker.pk)]["shipping_cost"], abroad[str(maker.pk)]["can_ship"]) == ("50.00", True)
    assert (order.shipping_country, order.shipping_cost) == ("JP", Decimal("50.00"))
    assert order.shipments.get().shipping_cost == Decimal("50.00")
    form = session_form(fake_stripe)
    assert form["shipping_address_collection[allowed_countries][0]"] == "JP"
    assert "shipping_address_collection[allowed_countries][1]" not in form


def test_the_stripe_session_charges_the_orders_items_each_sellers_shipping_and_tax(auth_client, fake_stripe):
    maker, potter, buyer = SellerFactory(), SellerFactory(), UserFactory()
    profile(auth_client, maker, {"countries": ["PT"], "base_price": "80.00", "price_per_kg": "2.00"})
    profile(auth_client, potter, {"countries": ["PT"], "base_price": "6.50", "price_per_kg": "0.75"})
    sofa = OrderingProductFactory(seller=maker, name="Sofa", price=Decimal("900.00"), weight=Decimal("30.00"))
    cup = OrderingProductFactory(seller=potter, name="Cup", price=Decimal("12.40"), weight=Decimal("0.30"))
    fill_cart(buyer, (sofa, 1), (cup, 3))

    _, groups = cart(auth_client, buyer, "PT")
    order = checkout(auth_client, buyer, fake_stripe, {"country": "PT"})

    parts = {s.seller_id: s for s in order.shipments.all()}
    # maker 80.00 + 30 kg x 2.00; potter 6.50 + 0.9 kg x 0.75 = 7.175, rounded to the cent
    assert {seller: part.shipping_cost for seller, part in parts.items()} == {
        maker.pk: Decimal("140.00"),
        potter.pk: Decimal("7.18"),
    }
    assert [groups[str(seller.pk)]["shipping_cost"] for seller in (maker, potter)] == ["140.00", "7.18"]
    lines = session_lines(session_form(fake_stripe))
    items = sorted(line for line in lines if line[0] != "Shipping" and not line[0].startswith("Tax ("))
    assert items == sorted(
        (item.product_name, int(item.unit_price * 100), item.quantity) for item in order.items.all()
    )
    assert items == [("Cup", 1240, 3), ("Sofa", 90000, 1)]
    assert [line for line in lines if line[0] == "Shipping"] == [
        ("Shipping", int(sum(part.shipping_cost for part in parts.values()) * 100), 1)
    ]
    # one tax line per seller, named with their shop (the username when they set none)
    assert sorted(line for line in lines if line[0].startswith("Tax (")) == sorted(
        (f"Tax ({seller.username})", int(parts[seller.pk].tax_amount * 100), 1) for seller in (maker, potter)
    )
    assert order.shipping_cost == Decimal("147.18")
    assert sum(amount * quantity for _, amount, quantity in lines) == int(order.total_amount * 100)
    assert sum(part.total_amount for part in parts.values()) == order.total_amount


def test_without_a_country_the_buyers_last_paid_order_says_where_they_ship_to(auth_client, fake_stripe):
    """The buyer's profile has no country (only a free-text ``location``): the address of their
    last paid order stands for it; an unpaid order's address does not count."""
    maker, buyer, newcomer = SellerFactory(), UserFactory(), UserFactory()
    buyer.profile.location = "Lisbon, Portugal"  # free text: not read as a country
    buyer.profile.save()
    profile(
        auth_client,
        maker,
        {"countries": ["ES"], "base_price": "7.00"},
        {"countries": ["FR"], "base_price": "9.00"},
        {"countries": ["PT"], "base_price": "5.00"},
        {"rest_of_world": True, "base_price": "30.00"},
    )
    for days_ago, status, payment_status, country in (
        (30, "delivered", "paid", "FR"),
        (20, "delivered", "paid", "es"),  # the last paid one
        (10, "cancelled", "failed", "PT"),  # newer, never paid
    ):
        placed = Order.objects.create(
            buyer=buyer,
            status=status,
            payment_status=payment_status,
            shipping_address={"city": "Somewhere", "country": country},
        )
        Order.objects.filter(pk=placed.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    chair = OrderingProductFactory(seller=maker, price=Decimal("60.00"))
    fill_cart(buyer, (chair, 1))
    fill_cart(newcomer, (chair, 1))

    body, groups = cart(auth_client, buyer)
    chosen, chosen_groups = cart(auth_client, buyer, "FR")
    unknown, unknown_groups = cart(auth_client, newcomer)
    order = checkout(auth_client, buyer, fake_stripe)

    assert (body["country"], groups[str(maker.pk)]["shipping_cost"]) == ("ES", "7.00")
    assert (chosen["country"], chosen_groups[str(maker.pk)]["shipping_cost"]) == ("FR", "9.00")
    # nothing known yet: the rest of the world's price until Stripe collects the address
    assert (unknown["country"], unknown_groups[str(maker.pk)]["shipping_cost"]) == (None, "30.00")
    assert (order.shipping_country, order.shipping_cost) == ("ES", Decimal("7.00"))
    assert session_form(fake_stripe)["shipping_address_collection[allowed_countries][0]"] == "ES"


def test_zones_may_overlap_another_profile_of_the_seller(auth_client):
    """A product ships by one profile, so two profiles naming the same country never compete."""
    maker, buyer = SellerFactory(), UserFactory()
    profile(auth_client, maker, {"countries": ["PT", "ES"], "base_price": "10.00"})
    furniture = profile(auth_client, maker, {"countries": ["PT"], "base_price": "80.00"}, name="Furniture")
    cup = OrderingProductFactory(seller=maker)
    sofa = OrderingProductFactory(seller=maker, shipping_profile_id=int(furniture["id"]))
    fill_cart(buyer, (cup, 1), (sofa, 1))

    _, groups = cart(auth_client, buyer, "PT")

    assert groups[str(maker.pk)]["shipping_cost"] == "90.00"  # each product by its own profile
