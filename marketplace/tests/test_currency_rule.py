"""One currency per order: the cart takes the first line's currency; checkout applies the same rule."""

from decimal import Decimal

import pytest

from authentication.tests.factories import UserFactory
from marketplace.ordering.models import CartItem, Order
from marketplace.tests.ordering_factories import OrderingProductFactory, route_checkout_sessions

pytestmark = pytest.mark.django_db

CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"


def test_adding_an_item_of_another_currency_answers_409_naming_both(auth_client):
    buyer = UserFactory()
    client = auth_client(buyer)
    eur = OrderingProductFactory(price=Decimal("300.00"), currency="EUR")
    usd = OrderingProductFactory(price=Decimal("2396.50"), currency="USD")
    assert client.post(f"{CART}add_item/", {"product_id": eur.pk}, format="json").status_code == 200

    response = client.post(f"{CART}add_item/", {"product_id": usd.pk}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "currency_mismatch"
    assert body["cart_currency"] == "EUR"
    assert body["item_currency"] == "USD"
    assert "EUR" in body["detail"] and "USD" in body["detail"]
    assert list(CartItem.objects.filter(cart__user=buyer).values_list("product_id", flat=True)) == [eur.pk]
    cart = client.get(CART).json()
    assert cart["totals"]["subtotal"] == "300.00"


def test_same_currency_and_more_units_of_the_same_line_are_accepted(auth_client):
    buyer = UserFactory()
    client = auth_client(buyer)
    first = OrderingProductFactory(currency="EUR")
    second = OrderingProductFactory(currency="EUR")
    for product in (first, second, first):
        response = client.post(f"{CART}add_item/", {"product_id": product.pk}, format="json")
        assert response.status_code == 200
    assert response.json()["items_count"] == 3


def test_after_emptying_the_cart_another_currency_may_start_it(auth_client):
    buyer = UserFactory()
    client = auth_client(buyer)
    eur = OrderingProductFactory(currency="EUR")
    usd = OrderingProductFactory(currency="USD")
    client.post(f"{CART}add_item/", {"product_id": eur.pk}, format="json")
    client.delete(f"{CART}remove_item/", {"product_id": eur.pk}, format="json")

    assert client.post(f"{CART}add_item/", {"product_id": usd.pk}, format="json").status_code == 200


def test_checkout_of_a_mixed_cart_answers_the_same_409_and_stores_nothing(auth_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    buyer = UserFactory()
    eur = OrderingProductFactory(currency="EUR", stock_quantity=4)
    usd = OrderingProductFactory(currency="USD", stock_quantity=4)
    # A cart filled before the rule existed (or whose product changed currency since).
    auth_client(buyer).post(f"{CART}add_item/", {"product_id": eur.pk}, format="json")
    cart = CartItem.objects.get(cart__user=buyer).cart
    CartItem.objects.create(cart=cart, product=usd, quantity=1)

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 409
    assert response.json()["code"] == "currency_mismatch"
    assert {response.json()["cart_currency"], response.json()["item_currency"]} == {"EUR", "USD"}
    assert not Order.objects.filter(buyer=buyer).exists()
    eur.refresh_from_db()
    usd.refresh_from_db()
    assert (eur.stock_quantity, usd.stock_quantity) == (4, 4)
    assert CartItem.objects.filter(cart__user=buyer).count() == 2
    assert fake_stripe.requests_to("POST", r"/v1/checkout/sessions") == []


@pytest.mark.parametrize(
    "currency, price, status",
    [("JPY", "1500.50", 400), ("JPY", "1500", 201), ("JPY", "1500.00", 201), ("EUR", "12.34", 201)],
)
def test_a_price_has_no_more_decimals_than_its_currency(auth_client, currency, price, status):
    from authentication.tests.factories import SellerFactory
    from marketplace.catalog.models import Product
    from marketplace.tests.catalog_factories import CategoryFactory

    body = {"name": "Tea bowl", "price": price, "currency": currency, "category": CategoryFactory().pk}
    response = auth_client(SellerFactory()).post("/api/marketplace/products/", body, format="json")

    assert response.status_code == status, response.content
    if status == 400:
        assert "price" in response.json()
        assert not Product.objects.filter(name="Tea bowl").exists()
