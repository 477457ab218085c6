from decimal import Decimal

import pytest

from authentication.tests.factories import UserFactory
from marketplace.ordering.models import CartItem
from marketplace.tests.ordering_factories import OrderingProductFactory, add_image, fill_cart

pytestmark = pytest.mark.django_db

CART = "/api/marketplace/cart/"


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def client(auth_client, buyer):
    return auth_client(buyer)


def test_empty_cart_is_created_on_first_read(client, buyer):
    response = client.get(CART)

    assert response.status_code == 200
    body = response.json()
    assert body["items"] == []
    assert body["user_id"] == str(buyer.pk)
    assert body["items_count"] == 0
    assert body["totals"] == {
        "subtotal": "0.00",
        "shipping_cost": "0.00",
        "tax_amount": "0.00",
        "discount_amount": "0.00",
        "total_amount": "0.00",
    }


def test_add_item_returns_whole_cart_and_adds_to_existing_line(client, settings):
    settings.SHIPPING_FLAT_RATE, settings.FREE_SHIPPING_THRESHOLD, settings.TAX_DEFAULT_RATE = (
        Decimal("25.00"),
        Decimal("500.00"),
        Decimal("0.08"),
    )
    product = OrderingProductFactory(price=Decimal("49.99"), stock_quantity=5)
    add_image(product)

    client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": 1}, format="json")
    response = client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": 2}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 1
    line = body["items"][0]
    assert line["quantity"] == 3
    assert line["product"]["id"] == str(product.pk)
    assert line["product"]["name"] == product.name
    assert line["product"]["price"] == "49.99"
    assert line["product"]["stock_quantity"] == 5
    assert line["product"]["primary_image"].startswith("http")
    assert line["product"]["primary_image"].endswith("products/chair.jpg")
    assert body["items_count"] == 3
    assert body["totals"] == {
        "subtotal": "149.97",
        "shipping_cost": "25.00",
        "tax_amount": "12.00",
        "discount_amount": "0.00",
        "total_amount": "186.97",
    }


def test_free_shipping_from_threshold(client, settings):
    settings.FREE_SHIPPING_THRESHOLD, settings.TAX_DEFAULT_RATE = Decimal("200.00"), Decimal("0")
    product = OrderingProductFactory(price=Decimal("100.00"))

    response = client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": 2}, format="json")

    assert response.json()["totals"]["shipping_cost"] == "0.00"
    assert response.json()["totals"]["total_amount"] == "200.00"


def test_add_beyond_stock_is_refused_and_changes_nothing(client, buyer):
    product = OrderingProductFactory(stock_quantity=2)
    fill_cart(buyer, (product, 2))

    response = client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": 1}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "out_of_stock"
    assert "only 2 left" in response.json()["detail"]
    assert CartItem.objects.get(cart__user=buyer).quantity == 2


@pytest.mark.parametrize("change", [{"is_active": False}, {"stock_quantity": 0}])
def test_unavailable_product_is_refused(client, buyer, change):
    product = OrderingProductFactory(**change)

    response = client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": 1}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not CartItem.objects.filter(cart__user=buyer).exists()


def test_seller_cannot_buy_own_product(auth_client):
    product = OrderingProductFactory()

    response = auth_client(product.seller).post(
        f"{CART}add_item/", {"product_id": product.pk, "quantity": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "You cannot buy your own product."
    assert not CartItem.objects.exists()


def test_numeric_strings_are_accepted(client, buyer):
    product = OrderingProductFactory()

    response = client.post(
        f"{CART}add_item/", {"product_id": str(product.pk), "quantity": "2"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["items"][0]["quantity"] == 2


def test_update_item_sets_quantity_and_checks_stock(client, buyer):
    product = OrderingProductFactory(stock_quantity=4)
    fill_cart(buyer, (product, 1))

    ok = client.patch(f"{CART}update_item/", {"product_id": product.pk, "quantity": 4}, format="json")
    too_many = client.patch(f"{CART}update_item/", {"product_id": product.pk, "quantity": 5}, format="json")

    assert ok.status_code == 200
    assert ok.json()["items"][0]["quantity"] == 4
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "out_of_stock"
    assert CartItem.objects.get(cart__user=buyer).quantity == 4


def test_update_item_not_in_cart_is_404(client):
    product = OrderingProductFactory()

    response = client.patch(f"{CART}update_item/", {"product_id": product.pk, "quantity": 1}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "item_not_in_cart"


def test_remove_item_parses_json_body_on_delete_and_returns_cart(client, buyer):
    keep, remove = OrderingProductFactory(), OrderingProductFactory()
    fill_cart(buyer, (keep, 1), (remove, 2))

    response = client.delete(f"{CART}remove_item/", data={"product_id": remove.pk}, format="json")

    assert response.status_code == 200
    assert [line["product"]["id"] for line in response.json()["items"]] == [str(keep.pk)]
    missing = client.delete(f"{CART}remove_item/", data={"product_id": remove.pk}, format="json")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "This product is not in your cart."


def test_clear_answers_204_with_empty_body(client, buyer):
    fill_cart(buyer, (OrderingProductFactory(), 1))

    response = client.delete(f"{CART}clear/")

    assert response.status_code == 204
    assert response.content == b""
    assert not CartItem.objects.filter(cart__user=buyer).exists()


def test_invalid_input_gives_field_errors(client):
    response = client.post(f"{CART}add_item/", {"product_id": "abc", "quantity": 0}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"product_id", "quantity", "code"}


def test_cart_needs_login(api_client):
    assert api_client.get(CART).status_code == 401


def test_cart_change_is_pushed_to_activity_socket(client, buyer, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "designiaBackend.api.realtime.send_to_user", lambda user_id, event: sent.append((user_id, event))
    )
    product = OrderingProductFactory()

    client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": 2}, format="json")

    assert sent == [(str(buyer.pk), {"type": "cart_updated", "cart_count": 2})]


def test_cart_read_query_count_is_constant(client, buyer, django_assert_max_num_queries):
    for _ in range(5):
        product = OrderingProductFactory()
        add_image(product)
        fill_cart(buyer, (product, 1))

    # user, cart, items with products (and their galleries), the buyer's last country, the
    # sellers' shipping profiles (their zones only when there are any)
    with django_assert_max_num_queries(5):
        response = client.get(CART)
    assert len(response.json()["items"]) == 5

    extra = OrderingProductFactory()
    with django_assert_max_num_queries(18):  # incl. savepoints, locks and the cart count for the socket
        response = client.post(f"{CART}add_item/", {"product_id": extra.pk, "quantity": 1}, format="json")
    assert len(response.json()["items"]) == 6
