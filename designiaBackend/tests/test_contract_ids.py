"""Contract §4.2 / C21: every id but category ids is a JSON string, in the schema and on the wire.

The schema half walks every component of the OpenAPI schema; the wire half walks every JSON
body of the client's calls (Appendix A) through a buyer's and a seller's whole journey, sending
ids back as the client does (strings). The socket frames are walked in
``chat/tests/test_contract_ids_frames.py``.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from authentication.tests.factories import SellerFactory, UserFactory
from designiaBackend.tests.public_ids import CATEGORY_KEYS, numeric_ids
from marketplace.catalog.models import Category
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    add_image,
    completed_session,
    route_checkout_sessions,
    send_event,
)

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/marketplace/products/"
CART = "/api/marketplace/cart/"
ORDERS = "/api/marketplace/orders/"

# (component, property) pairs that may carry a number, and why.
NOT_PUBLIC_IDS = {
    ("Suggestion", "id"): "an autocomplete hit is a product (string id), a category (integer id) or a brand",
}


def _id_properties(schema):
    for name, component in schema["components"]["schemas"].items():
        for prop, spec in component.get("properties", {}).items():
            if prop == "id" or prop.endswith(("_id", "_ids")) or prop == "itemId":
                yield name, prop, spec


def test_the_schema_declares_every_public_id_a_string():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    offenders, checked = [], 0
    for name, prop, spec in _id_properties(schema):
        if "Category" in name or prop in CATEGORY_KEYS or (name, prop) in NOT_PUBLIC_IDS:
            continue
        checked += 1
        value = spec.get("items", {}) if spec.get("type") == "array" else spec
        if value.get("type") != "string":
            offenders.append(f"{name}.{prop}: {spec}")
    assert offenders == []
    assert checked > 40  # the walk reached the components (products, cart, orders, reviews, chat, ...)


class WireCheck:
    """Calls the API as one user and collects every numeric id of every JSON body it gets back."""

    def __init__(self, client):
        self.client, self.offenders, self.calls = client, [], 0

    def call(self, method, url, body=None, expect=200, category_list=False):
        response = getattr(self.client, method)(url, body, format="json")
        assert response.status_code == expect, (method, url, response.content[:300])
        if response.content:
            self.calls += 1
            found = numeric_ids(response.json(), inside_category=category_list)
            self.offenders += [f"{method.upper()} {url} {path}" for path in found]
        return response.json() if response.content else None


def test_every_body_of_the_clients_journey_carries_string_ids(auth_client, api_client, fake_stripe):
    seller, buyer = SellerFactory(), UserFactory()
    category = Category.objects.create(name="Chairs", slug="chairs")
    chair = OrderingProductFactory(seller=seller, name="Oak Chair", category=category, stock_quantity=5)
    add_image(chair)
    guest, shopper, maker = (
        WireCheck(api_client),
        WireCheck(auth_client(buyer)),
        WireCheck(auth_client(seller)),
    )
    product_id = str(chair.pk)

    # Browsing (E22–E27), the storefront and favourites.
    listed = guest.call("get", PRODUCTS)
    assert listed["results"][0]["id"] == product_id
    guest.call("get", f"{PRODUCTS}search/?q=oak")
    guest.call("get", f"{PRODUCTS}autocomplete/?q=oak")
    guest.call("get", f"{PRODUCTS}categories/", category_list=True)
    guest.call("get", f"{PRODUCTS}filters/")
    detail = guest.call("get", f"{PRODUCTS}{chair.slug}/")
    assert detail["id"] == product_id and detail["images"][0]["id"].isdigit()
    guest.call("get", f"{PRODUCTS}{chair.slug}/reviews/")
    guest.call("get", f"/api/marketplace/sellers/{seller.pk}/")
    shopper.call("post", f"{PRODUCTS}{chair.slug}/favorite/")
    shopper.call("get", f"{PRODUCTS}favorites/")

    # The cart (E32–E35) takes the product id back as a string.
    cart = shopper.call("post", f"{CART}add_item/", {"product_id": product_id, "quantity": 2})
    assert cart["items"][0]["product"]["id"] == product_id
    shopper.call("patch", f"{CART}update_item/", {"product_id": product_id, "quantity": 1})
    shopper.call("get", CART)

    # Checkout, payment, the orders pages of both sides (E37, E40, E41, E45) and fulfilment (E46).
    route_checkout_sessions(fake_stripe)
    order_id = shopper.call("post", "/api/payments/checkout_session/")["order_id"]
    send_event(api_client, "checkout.session.completed", completed_session(Order.objects.get(pk=order_id)))
    shopper.call("get", ORDERS)
    seen_by_seller = maker.call("get", f"{ORDERS}{order_id}/")
    assert seen_by_seller["items"][0]["product"]["id"][:8] == product_id  # the page's .slice(0, 8)
    maker.call("get", f"{ORDERS}seller_orders/")
    shipping = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA1"}
    maker.call("patch", f"{ORDERS}{order_id}/update_shipping/", shipping)
    delivered = shopper.call("post", f"{ORDERS}{order_id}/confirm_delivery/")

    # After delivery: a review (E28–E29) and a return request (E43) naming the item by a string id.
    review = {"product_id": product_id, "rating": 5, "title": "Great", "comment": "Exactly as described."}
    review_id = shopper.call("post", f"{PRODUCTS}{chair.slug}/reviews/", review, expect=201)["id"]
    shopper.call("patch", f"/api/marketplace/reviews/{review_id}/", {**review, "rating": 4})
    item_id = delivered["items"][0]["id"]
    claim = {"items": [{"itemId": item_id, "quantity": 1}], "reason": "defective", "comment": "Wobbly"}
    shopper.call("post", f"{ORDERS}{order_id}/return/", claim, expect=201)

    # The seller's area (E44, E47) and the seller application status (E20).
    maker.call("get", "/api/marketplace/seller/analytics/")
    maker.call("get", f"{PRODUCTS}my_products/")
    shopper.call("get", "/api/auth/seller/application/status/")

    # Chat REST (E56–E59) with the product id as a string.
    thread = shopper.call("post", "/api/chat/conversations/", {"product_id": product_id}, expect=201)
    shopper.call("get", "/api/chat/conversations/")
    shopper.call("get", f"/api/chat/conversations/{thread['thread_id']}/")
    shopper.call("get", f"/api/chat/conversations/{thread['thread_id']}/messages/?page=1")

    assert guest.offenders + shopper.offenders + maker.offenders == []
    assert guest.calls + shopper.calls + maker.calls >= 28
