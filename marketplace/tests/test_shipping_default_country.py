"""A buyer the web client sends no country for (F7's cart, F9's checkout with an empty body).

The rule: the country the buyer gives, else their profile's, else their last paid order's, else
``DEFAULT_SHIPPING_COUNTRY``. The cart shows the quote for that country, the checkout prices the
order for the same country and the payment page offers only that one, so what the buyer pays is
what the cart showed (the webhook never re-prices). Through the real URLs.
"""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import CartItem, Order
from marketplace.tests.ordering_factories import OrderingProductFactory, route_checkout_sessions

pytestmark = pytest.mark.django_db
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"
PROFILES = "/api/marketplace/shipping-profiles/"


@pytest.fixture(autouse=True)
def pricing(settings, eu_vat_rates, default_shipping_country):
    settings.SHIPPING_FLAT_RATE = Decimal("99.00")  # never seen below: every product ships by a profile
    settings.FREE_SHIPPING_THRESHOLD = Decimal("100000.00")
    assert default_shipping_country == "PT"  # the settings' default (the environment sets none)


def shop(auth_client, *zones):
    """A seller whose default profile has ``zones`` (no rest-of-world zone) and a chair."""
    maker = SellerFactory()
    response = auth_client(maker).post(PROFILES, {"name": "Parcels", "zones": list(zones)}, format="json")
    assert response.status_code == 201, response.content
    return maker, OrderingProductFactory(seller=maker, price=Decimal("80.00"), stock_quantity=3)


def add_to_cart(auth_client, buyer, product):
    """F7 step 1: "Add to Cart" (quantity 1); the answer is the whole cart."""
    response = auth_client(buyer).post(
        f"{CART}add_item/", {"product_id": product.pk, "quantity": 1}, format="json"
    )
    assert response.status_code in (200, 201), response.content
    return response.json()


def allowed_countries(fake_stripe) -> list[str]:
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    prefix = "shipping_address_collection[allowed_countries]"
    return [value for key, value in request.form.items() if key.startswith(prefix)]


def test_first_time_buyer_gets_the_default_countrys_quote_and_checks_out(auth_client, fake_stripe):
    """No country anywhere and a seller with no rest-of-world zone: the cart and the order are
    priced for PT (before the default: "rest of the world", which this seller does not serve, and
    409 at checkout)."""
    maker, chair = shop(
        auth_client, {"countries": ["PT"], "base_price": "6.00"}, {"countries": ["ES"], "base_price": "9.00"}
    )
    buyer = UserFactory()

    added = add_to_cart(auth_client, buyer, chair)
    cart = auth_client(buyer).get(CART).json()  # F7 step 2, no query string
    route_checkout_sessions(fake_stripe)
    response = auth_client(buyer).post(CHECKOUT)  # F9 step 1, empty body

    [group] = cart["shipping_groups"]
    assert added["country"] == cart["country"] == "PT"
    assert (group["seller_id"], group["can_ship"], group["shipping_cost"]) == (str(maker.pk), True, "6.00")
    assert group["tax_rate"] == "0.2300"  # Portugal's VAT (seeded table), not the flat rate
    assert response.status_code == 200, response.content
    assert response.json()["clientSecret"]
    order = Order.objects.get(pk=response.json()["order_id"])
    assert (order.shipping_country, order.status) == ("PT", "pending_payment")
    # what the cart showed is what the order charges, and the payment page takes only a PT address
    assert {
        key: f"{getattr(order, key):.2f}"
        for key in ("subtotal", "shipping_cost", "tax_amount", "discount_amount", "total_amount")
    } == cart["totals"]
    assert allowed_countries(fake_stripe) == ["PT"]
    # F9's "then": the order is listed, the cart is empty, the stock reserved
    listed = auth_client(buyer).get("/api/marketplace/orders/?page=1&page_size=10").json()["results"]
    assert [(row["id"], row["status"]) for row in listed] == [(str(order.pk), "pending_payment")]
    assert auth_client(buyer).get(CART).json()["items"] == []
    assert Product.objects.get(pk=chair.pk).stock_quantity == 2


def test_the_buyers_own_country_comes_before_the_default(auth_client, fake_stripe):
    """The profile's country wins over the default; a country given in the request wins over both."""
    _, chair = shop(
        auth_client, {"countries": ["PT"], "base_price": "6.00"}, {"countries": ["ES"], "base_price": "9.00"}
    )
    buyer = UserFactory()
    assert auth_client(buyer).patch("/api/auth/profile/", {"country": "es"}, format="json").status_code == 200
    add_to_cart(auth_client, buyer, chair)

    own = auth_client(buyer).get(CART).json()
    chosen = auth_client(buyer).get(f"{CART}?country=PT").json()
    route_checkout_sessions(fake_stripe)
    response = auth_client(buyer).post(CHECKOUT)

    assert (own["country"], own["totals"]["shipping_cost"]) == ("ES", "9.00")
    assert (chosen["country"], chosen["totals"]["shipping_cost"]) == ("PT", "6.00")
    assert response.status_code == 200, response.content
    order = Order.objects.get(pk=response.json()["order_id"])
    assert (order.shipping_country, order.shipping_cost) == ("ES", Decimal("9.00"))
    assert f"{order.total_amount:.2f}" == own["totals"]["total_amount"]
    assert allowed_countries(fake_stripe) == ["ES"]


def test_a_seller_who_does_not_ship_to_the_default_country(auth_client, fake_stripe):
    """The cart says the chair cannot ship to PT; the empty-body checkout is a 409 that changes
    nothing; naming a country the seller serves prices and checks out for it."""
    _, chair = shop(auth_client, {"countries": ["ES"], "base_price": "9.00"})
    buyer = UserFactory()
    add_to_cart(auth_client, buyer, chair)
    route_checkout_sessions(fake_stripe)

    cart = auth_client(buyer).get(CART).json()
    refused = auth_client(buyer).post(CHECKOUT)
    assert not Order.objects.exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 3
    assert CartItem.objects.filter(cart__user=buyer).count() == 1
    assert not fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    in_spain = auth_client(buyer).get(f"{CART}?country=ES").json()
    accepted = auth_client(buyer).post(CHECKOUT, {"country": "ES"}, format="json")

    [group] = cart["shipping_groups"]
    assert (cart["country"], group["can_ship"], group["unshippable_product_ids"]) == (
        "PT",
        False,
        [str(chair.pk)],
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_shippable_to_country"
    assert chair.name in refused.json()["detail"] and "PT" in refused.json()["detail"]
    assert in_spain["shipping_groups"][0]["can_ship"] is True
    assert accepted.status_code == 200, accepted.content
    order = Order.objects.get(pk=accepted.json()["order_id"])
    assert (order.shipping_country, f"{order.total_amount:.2f}") == ("ES", in_spain["totals"]["total_amount"])
    assert allowed_countries(fake_stripe) == ["ES"]


def test_an_order_placed_without_payment_is_priced_like_the_cart(auth_client):
    """E38 (an order from the cart, payment started later) takes no country: it is priced for the
    country the cart showed, so the payment started later offers that country only."""
    _, chair = shop(auth_client, {"countries": ["PT"], "base_price": "6.00"})
    buyer = UserFactory()
    add_to_cart(auth_client, buyer, chair)
    cart = auth_client(buyer).get(CART).json()

    response = auth_client(buyer).post("/api/marketplace/orders/", {}, format="json")

    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["id"])
    assert (order.shipping_country, f"{order.total_amount:.2f}") == ("PT", cart["totals"]["total_amount"])
