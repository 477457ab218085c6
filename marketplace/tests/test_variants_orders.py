"""Variants in the cart, checkout, stock, orders, returns and seller analytics (issue 15), through
the real URLs; payment completes through the signed Stripe webhook, as in production.

The product with variants is made with the ORM here, its invariants kept by hand: its price is the
lowest active variant's, its stock the sum of its active variants'.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Product, ProductImage, ProductVariant
from marketplace.ordering.demo_orders import demo_order_create
from marketplace.ordering.exceptions import SoldOut
from marketplace.ordering.models import CartItem, Order
from marketplace.ordering.services.checkout import order_place_from_cart
from marketplace.shipping.models import ShippingProfile, ShippingZone
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    add_image,
    completed_session,
    route_checkout_sessions,
    route_refunds,
    route_session_expire,
    run_concurrently,
    send_event,
)
from payment_system.checkout.timeouts import payment_timeouts_check, stock_reservations_sweep

pytestmark = pytest.mark.django_db
CART = "/api/marketplace/cart/"
ADD = f"{CART}add_item/"
CHECKOUT = "/api/payments/checkout_session/"
ORDERS = "/api/marketplace/orders/"
OAK = {"wood": "oak", "size": "120"}
WALNUT = {"wood": "walnut", "size": "160"}


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("25.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")


def variant_table(seller=None):
    """ "Oak Table" with variants Oak-120 (900.00, stock 2) and Walnut-160 (1,200.00, stock 1, 45 kg;
    Oak-120 weighs the product's 30 kg), created by its seller through E48 as the web client would."""
    seller = seller or SellerFactory()
    client = APIClient()
    client.force_authenticate(seller)
    body = {
        "name": "Oak Table",
        "description": "Solid wood, two sizes.",
        "price": "900.00",
        "stock_quantity": 3,
        "weight": "30.00",
        "options": [
            {"name": "wood", "values": ["oak", "walnut"]},
            {"name": "size", "values": ["120", "160"]},
        ],
        "variants": [
            {"sku": "OAK-120", "options": OAK, "price": "900.00", "stock_quantity": 2},
            {
                "sku": "WALNUT-160",
                "options": WALNUT,
                "price": "1200.00",
                "stock_quantity": 1,
                "weight": "45.00",
            },
        ],
    }
    response = client.post("/api/marketplace/products/", body, format="json")
    assert response.status_code == 201, response.json()
    product = Product.objects.get(slug=response.json()["slug"])
    assert (product.has_variants, product.price, product.stock_quantity) == (True, Decimal("900.00"), 3)
    return product, product.variants.get(sku="OAK-120"), product.variants.get(sku="WALNUT-160")


@pytest.fixture
def table():
    return variant_table()


def stocks(product):
    """``(product stock, {sku: variant stock})`` as stored."""
    variants = ProductVariant.objects.filter(product=product).values_list("sku", "stock_quantity")
    return Product.objects.get(pk=product.pk).stock_quantity, dict(variants)


def pay(api_client, order_id):
    order = Order.objects.select_related("payment", "buyer").get(pk=order_id)
    send_event(api_client, "checkout.session.completed", completed_session(order))
    order.refresh_from_db()
    assert order.payment_status == "paid"
    return order


def bought(auth_client, api_client, buyer, product, variant, quantity=1):
    """``buyer`` adds ``quantity`` of ``variant`` (E33), checks out (E37) and pays (webhook)."""
    client = auth_client(buyer)
    added = client.post(
        ADD, {"product_id": product.pk, "variant_id": variant.pk, "quantity": quantity}, format="json"
    )
    assert added.status_code == 200, added.content
    response = client.post(CHECKOUT)
    assert response.status_code == 200, response.content
    return pay(api_client, response.json()["order_id"])


def test_acceptance_walnut_sold_out_answers_409_while_oak_stays_buyable(
    auth_client, api_client, fake_stripe, table
):
    route_checkout_sessions(fake_stripe)
    product, oak, walnut = table
    first, second = UserFactory(), UserFactory()
    early = auth_client(second).post(
        ADD, {"product_id": product.pk, "variant_id": str(walnut.pk)}, format="json"
    )
    assert early.status_code == 200, early.content

    # Buyer A: Walnut-160 by its option values, checked out and paid.
    added = auth_client(first).post(ADD, {"product_id": str(product.pk), "options": WALNUT}, format="json")
    assert added.status_code == 200, added.content
    [line] = added.json()["items"]
    assert line["variant"] == {
        "id": str(walnut.pk),
        "sku": "WALNUT-160",
        "options": WALNUT,
        "label": "wood: walnut, size: 160",
        "price": "1200.00",
        "stock_quantity": 1,
    }
    assert line["total_price"] == "1200.00" and line["product"]["id"] == str(product.pk)
    assert added.json()["totals"]["subtotal"] == "1200.00"
    checkout = auth_client(first).post(CHECKOUT)
    assert checkout.status_code == 200, checkout.content
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    assert (
        request.form["line_items[0][price_data][product_data][name]"] == "Oak Table (wood: walnut, size: 160)"
    )
    assert request.form["line_items[0][price_data][unit_amount]"] == "120000"
    order = pay(api_client, checkout.json()["order_id"])

    assert stocks(product) == (2, {"OAK-120": 2, "WALNUT-160": 0})
    [item] = order.items.all()
    assert (item.variant_id, item.sku, item.variant_label, item.unit_price) == (
        walnut.pk,
        "WALNUT-160",
        "wood: walnut, size: 160",
        Decimal("1200.00"),
    )
    for viewer in (first, product.seller):
        [shown] = auth_client(viewer).get(f"{ORDERS}{order.pk}/").json()["items"]
        assert {key: shown[key] for key in ("variant_id", "sku", "variant_label", "unit_price")} == {
            "variant_id": str(walnut.pk),
            "sku": "WALNUT-160",
            "variant_label": "wood: walnut, size: 160",
            "unit_price": "1200.00",
        }
    [listed] = auth_client(product.seller).get(f"{ORDERS}seller_orders/").json()["results"]
    assert listed["items"][0]["sku"] == "WALNUT-160"

    # Buyer B still holds the last Walnut-160 in the cart: checkout answers 409, nothing changes.
    refused = auth_client(second).post(CHECKOUT)
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "out_of_stock"
    assert refused.json()["detail"] == "Oak Table (wood: walnut, size: 160) is sold out."
    assert stocks(product) == (2, {"OAK-120": 2, "WALNUT-160": 0})
    assert not Order.objects.filter(buyer=second).exists()
    assert CartItem.objects.filter(cart__user=second, variant=walnut).exists()
    more = auth_client(second).post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")
    assert (more.status_code, more.json()["code"]) == (400, "out_of_stock")

    # ... and Oak-120 is still buyable.
    client = auth_client(second)
    removed = client.delete(
        f"{CART}remove_item/", data={"product_id": product.pk, "variant_id": walnut.pk}, format="json"
    )
    assert removed.status_code == 200 and removed.json()["items"] == []
    second_order = bought(auth_client, api_client, second, product, oak)
    assert [(i.sku, i.unit_price) for i in second_order.items.all()] == [("OAK-120", Decimal("900.00"))]
    assert stocks(product) == (1, {"OAK-120": 1, "WALNUT-160": 0})

    analytics = auth_client(product.seller).get("/api/marketplace/seller/analytics/?period=month").json()
    assert analytics["variant_sales"] == [
        {
            "variant_id": str(walnut.pk),
            "product_id": str(product.pk),
            "product_name": "Oak Table",
            "sku": "WALNUT-160",
            "options": WALNUT,
            "total_sold": 1,
            "revenue": "1200.00",
        },
        {
            "variant_id": str(oak.pk),
            "product_id": str(product.pk),
            "product_name": "Oak Table",
            "sku": "OAK-120",
            "options": OAK,
            "total_sold": 1,
            "revenue": "900.00",
        },
    ]
    assert analytics["top_products"][0]["total_sold"] == 2  # the product-level section is unchanged


def test_cart_refusals_name_the_variant_and_change_nothing(auth_client, table):
    product, oak, walnut = table
    plain = OrderingProductFactory(name="Stool")
    other_table, other_oak, _ = variant_table()
    client = auth_client(UserFactory())
    bodies = [
        ({"product_id": product.pk}, "variant_required"),
        ({"product_id": product.pk, "options": {"wood": "teak", "size": "120"}}, "variant_not_found"),
        ({"product_id": product.pk, "options": {"wood": "oak"}}, "variant_not_found"),
        ({"product_id": product.pk, "variant_id": other_oak.pk}, "variant_not_found"),
        ({"product_id": product.pk, "variant_id": oak.pk, "options": WALNUT}, "variant_not_found"),
        ({"product_id": plain.pk, "variant_id": oak.pk}, "variant_not_found"),
        ({"product_id": plain.pk, "options": OAK}, "variant_not_found"),
        ({"product_id": product.pk, "variant_id": oak.pk, "quantity": 3}, "out_of_stock"),
    ]

    answers = [client.post(ADD, body, format="json") for body, _ in bodies]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(400, code) for _, code in bodies]
    assert (
        answers[-1].json()["detail"] == "Not enough stock for Oak Table (wood: oak, size: 120): only 2 left."
    )
    assert all(a.json()["detail"] for a in answers)
    assert not CartItem.objects.exists()
    bad = client.post(ADD, {"product_id": product.pk, "variant_id": "walnut"}, format="json")
    assert bad.status_code == 400 and "variant_id" in bad.json()
    assert stocks(other_table) == (3, {"OAK-120": 2, "WALNUT-160": 1})


def test_two_variants_are_two_lines_updated_and_removed_by_variant(auth_client, table):
    product, oak, walnut = table
    plain = OrderingProductFactory(name="Stool", price=Decimal("50.00"))
    client = auth_client(UserFactory())
    # Names are matched without regard to case; the product without variants works as before.
    client.post(ADD, {"product_id": product.pk, "options": {"Wood": "oak", "SIZE": "120"}}, format="json")
    client.post(ADD, {"product_id": product.pk, "options": OAK}, format="json")
    client.post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")
    cart = client.post(ADD, {"product_id": plain.pk, "quantity": 2}, format="json").json()

    lines = {(line["product"]["id"], (line["variant"] or {}).get("sku")): line for line in cart["items"]}
    assert {key: line["quantity"] for key, line in lines.items()} == {
        (str(product.pk), "OAK-120"): 2,
        (str(product.pk), "WALNUT-160"): 1,
        (str(plain.pk), None): 2,
    }
    assert {key: line["total_price"] for key, line in lines.items()} == {
        (str(product.pk), "OAK-120"): "1800.00",
        (str(product.pk), "WALNUT-160"): "1200.00",
        (str(plain.pk), None): "100.00",
    }
    assert cart["totals"]["subtotal"] == "3100.00" and cart["items_count"] == 5
    taxes = [Decimal(line["tax_amount"]) for line in cart["items"]]
    assert taxes == [Decimal("180.00"), Decimal("120.00"), Decimal("10.00")]  # 10 % of each line

    ambiguous = client.patch(f"{CART}update_item/", {"product_id": product.pk, "quantity": 1}, format="json")
    beyond = client.patch(
        f"{CART}update_item/",
        {"product_id": product.pk, "variant_id": walnut.pk, "quantity": 2},
        format="json",
    )
    updated = client.patch(
        f"{CART}update_item/", {"product_id": product.pk, "variant_id": oak.pk, "quantity": 1}, format="json"
    )
    assert (ambiguous.status_code, ambiguous.json()["code"]) == (400, "variant_required")
    assert (beyond.status_code, beyond.json()["code"]) == (400, "out_of_stock")
    assert updated.status_code == 200
    assert [((line["variant"] or {}).get("sku"), line["quantity"]) for line in updated.json()["items"]] == [
        ("OAK-120", 1),
        ("WALNUT-160", 1),
        (None, 2),
    ]
    one = client.delete(
        f"{CART}remove_item/", data={"product_id": product.pk, "variant_id": oak.pk}, format="json"
    )
    assert [line["variant"]["sku"] for line in one.json()["items"] if line["variant"]] == ["WALNUT-160"]
    client.post(ADD, {"product_id": product.pk, "variant_id": oak.pk}, format="json")
    every = client.delete(f"{CART}remove_item/", data={"product_id": product.pk}, format="json")
    assert [line["product"]["id"] for line in every.json()["items"]] == [str(plain.pk)]


def test_a_product_with_one_active_variant_needs_no_choice(auth_client, table):
    product, oak, walnut = table
    ProductVariant.objects.filter(pk=walnut.pk).update(is_active=False)
    Product.objects.filter(pk=product.pk).update(stock_quantity=2)  # the sum of the active variants'

    added = auth_client(UserFactory()).post(ADD, {"product_id": product.pk}, format="json")
    inactive = auth_client(UserFactory()).post(
        ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json"
    )

    assert added.status_code == 200
    assert added.json()["items"][0]["variant"]["sku"] == "OAK-120"
    assert (inactive.status_code, inactive.json()["code"]) == (400, "variant_not_found")


def test_shipping_weighs_the_variant_else_the_product(auth_client, table):
    product, oak, walnut = table
    profile = ShippingProfile.objects.create(seller=product.seller, name="Standard", is_default=True)
    ShippingZone.objects.create(
        profile=profile,
        name="Europe",
        countries=["PT"],
        base_price=Decimal("10.00"),
        price_per_kg=Decimal("2.00"),
    )
    client = auth_client(UserFactory())

    client.post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")
    walnut_only = client.get(f"{CART}?country=PT").json()["shipping_groups"][0]["shipping_cost"]
    client.post(ADD, {"product_id": product.pk, "variant_id": oak.pk}, format="json")
    both = client.get(f"{CART}?country=PT").json()["shipping_groups"][0]["shipping_cost"]

    assert walnut_only == "100.00"  # 10.00 + 2.00 x 45 kg (the variant's weight)
    assert both == "160.00"  # 10.00 + 2.00 x (45 + 30 kg: Oak-120 weighs the product's)


def test_a_cart_line_without_a_variant_of_a_product_that_got_variants_is_refused(auth_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    product = OrderingProductFactory(name="Oak Table", stock_quantity=3)
    buyer = UserFactory()
    auth_client(buyer).post(ADD, {"product_id": product.pk}, format="json")
    ProductVariant.objects.create(
        product=product,
        sku="OAK-120",
        options=OAK,
        option_key="size=120|wood=oak",
        price="900.00",
        stock_quantity=3,
    )
    Product.objects.filter(pk=product.pk).update(has_variants=True, price=Decimal("900.00"))

    refused = auth_client(buyer).post(CHECKOUT)

    assert (refused.status_code, refused.json()["code"]) == (400, "variant_required")
    assert stocks(product) == (3, {"OAK-120": 3})
    assert not Order.objects.exists()


def test_a_buyers_cancel_restocks_the_variant_and_the_product(auth_client, fake_stripe, table):
    route_checkout_sessions(fake_stripe)
    product, oak, walnut = table
    buyer = UserFactory()
    client = auth_client(buyer)
    client.post(ADD, {"product_id": product.pk, "variant_id": oak.pk, "quantity": 2}, format="json")
    order_id = client.post(CHECKOUT).json()["order_id"]
    assert stocks(product) == (1, {"OAK-120": 0, "WALNUT-160": 1})

    cancelled = client.post(f"{ORDERS}{order_id}/cancel/", {"reason": "changed_mind"}, format="json")

    assert cancelled.status_code == 200
    assert stocks(product) == (3, {"OAK-120": 2, "WALNUT-160": 1})


def test_the_payment_timeout_sweep_restocks_variants_set_wise(auth_client, fake_stripe, settings, table):
    settings.PAYMENT_TIMEOUT_DAYS = 3
    route_checkout_sessions(fake_stripe)
    route_session_expire(fake_stripe)
    product, oak, walnut = table
    stool = OrderingProductFactory(stock_quantity=5)
    orders = []
    for variant in (oak, walnut, oak):
        client = auth_client(UserFactory())
        client.post(ADD, {"product_id": product.pk, "variant_id": variant.pk}, format="json")
        client.post(ADD, {"product_id": stool.pk}, format="json")
        orders.append(client.post(CHECKOUT).json()["order_id"])
    Order.objects.filter(pk__in=orders).update(
        created_at=timezone.now() - timedelta(days=4), reserved_until=timezone.now() - timedelta(days=2)
    )
    assert stocks(product) == (0, {"OAK-120": 0, "WALNUT-160": 0})

    with CaptureQueriesContext(connection) as queries:
        assert payment_timeouts_check(batch_size=50) == 3

    assert stocks(product) == (3, {"OAK-120": 2, "WALNUT-160": 1})
    # Set-wise: the batch's variants are locked in one statement and given back in one UPDATE per
    # quantity (Oak-120 2 units, Walnut-160 1), whatever the number of orders.
    variant_statements = [
        q["sql"] for q in queries.captured_queries if "marketplace_productvariant" in q["sql"]
    ]
    assert [sql.split()[0] for sql in variant_statements] == ["SELECT", "UPDATE", "UPDATE"]
    assert Product.objects.get(pk=stool.pk).stock_quantity == 5
    assert set(Order.objects.filter(pk__in=orders).values_list("status", flat=True)) == {"cancelled"}


def test_a_sellers_cancel_restocks_the_variant_but_a_deactivated_one_not_its_product(
    auth_client, api_client, fake_stripe, table
):
    route_checkout_sessions(fake_stripe)
    route_refunds(fake_stripe)
    product, oak, walnut = table
    walnut_order = bought(auth_client, api_client, UserFactory(), product, walnut)
    oak_order = bought(auth_client, api_client, UserFactory(), product, oak)
    assert stocks(product) == (1, {"OAK-120": 1, "WALNUT-160": 0})
    # The seller stops offering Walnut-160 (the catalogue keeps the product's stock = the active sum).
    ProductVariant.objects.filter(pk=walnut.pk).update(is_active=False)

    seller = auth_client(product.seller)
    for order in (oak_order, walnut_order):
        shipment = order.shipments.get()
        response = seller.post(
            f"/api/marketplace/shipments/{shipment.pk}/cancel/", {"reason": "cannot_ship"}, format="json"
        )
        assert response.status_code == 200, response.content

    # Oak-120's unit is back in both; Walnut-160's only in the (inactive) variant.
    assert stocks(product) == (2, {"OAK-120": 2, "WALNUT-160": 1})


def test_an_approved_return_restocks_the_variant_and_the_product(auth_client, api_client, fake_stripe, table):
    route_checkout_sessions(fake_stripe)
    route_refunds(fake_stripe)
    product, oak, walnut = table
    buyer = UserFactory()
    order = bought(auth_client, api_client, buyer, product, oak, quantity=2)
    seller = auth_client(product.seller)
    seller.patch(
        f"{ORDERS}{order.pk}/update_shipping/",
        {"shipping_carrier": "UPS", "tracking_number": "1Z999AA1"},
        format="json",
    )
    auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/")
    item = order.items.get()
    created = auth_client(buyer).post(
        f"{ORDERS}{order.pk}/return/",
        {"items": [{"itemId": item.pk, "quantity": 1}], "reason": "defective", "proof_images": []},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert stocks(product) == (1, {"OAK-120": 0, "WALNUT-160": 1})

    approved = seller.post(f"/api/marketplace/returns/{created.json()['id']}/approve/")

    assert approved.status_code == 200, approved.content
    assert approved.json()["refund_amount"] == "990.00"  # 900.00 + its 10 % tax
    assert stocks(product) == (2, {"OAK-120": 1, "WALNUT-160": 1})
    [shown] = auth_client(buyer).get(f"{ORDERS}{order.pk}/").json()["items"]
    assert (shown["returned_quantity"], shown["sku"]) == (1, "OAK-120")


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB")
@pytest.mark.django_db(transaction=True)
def test_two_checkouts_of_the_last_walnut_at_once_sell_it_once():
    product, oak, walnut = variant_table()
    buyers = [UserFactory(), UserFactory()]
    from marketplace.ordering.services.cart import cart_add_item

    for buyer in buyers:
        cart_add_item(user=buyer, product_id=product.pk, quantity=1, variant_id=walnut.pk)
        cart_add_item(user=buyer, product_id=product.pk, quantity=1, variant_id=oak.pk)

    results = run_concurrently([lambda buyer=buyer: order_place_from_cart(buyer=buyer) for buyer in buyers])

    outcomes = sorted(outcome for outcome, _ in results)
    assert outcomes == ["error", "ok"], results
    [error] = [value for outcome, value in results if outcome == "error"]
    assert isinstance(error, SoldOut)
    assert stocks(product) == (1, {"OAK-120": 1, "WALNUT-160": 0})
    assert Order.objects.count() == 1


def test_a_lapsed_reservation_gives_the_variant_back_and_a_retry_after_it_sold_is_409(
    auth_client, api_client, fake_stripe, table
):
    route_checkout_sessions(fake_stripe)
    route_session_expire(fake_stripe)
    product, oak, walnut = table
    first = UserFactory()
    client = auth_client(first)
    client.post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")
    abandoned = client.post(CHECKOUT).json()["order_id"]
    Order.objects.filter(pk=abandoned).update(reserved_until=timezone.now() - timedelta(seconds=1))

    assert stock_reservations_sweep() == 1
    assert stocks(product) == (3, {"OAK-120": 2, "WALNUT-160": 1})
    bought(auth_client, api_client, UserFactory(), product, walnut)
    fake_stripe.on(
        "GET",
        r"/v1/checkout/sessions/([^/]+)",
        lambda request, match: (
            200,
            {"id": match.group(1), "object": "checkout.session", "status": "expired"},
        ),
    )
    retry = client.get(f"/api/payments/checkout_session/retry/{abandoned}/")

    assert (retry.status_code, retry.json()["code"]) == (409, "out_of_stock")
    assert Order.objects.get(pk=abandoned).status == "cancelled"
    assert stocks(product) == (2, {"OAK-120": 2, "WALNUT-160": 0})


def test_a_coupon_of_the_product_discounts_each_variant_line(auth_client, api_client, fake_stripe, table):
    route_checkout_sessions(fake_stripe)
    product, oak, walnut = table
    created = auth_client(product.seller).post(
        "/api/marketplace/coupons/",
        {"code": "TABLES10", "kind": "percent", "value": "10", "product_ids": [product.pk]},
        format="json",
    )
    assert created.status_code == 201, created.content
    buyer = UserFactory()
    client = auth_client(buyer)
    client.post(ADD, {"product_id": product.pk, "variant_id": oak.pk}, format="json")
    client.post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")
    cart = client.post(f"{CART}apply_coupon/", {"code": "TABLES10"}, format="json").json()

    assert [(line["variant"]["sku"], line["discount_amount"]) for line in cart["items"]] == [
        ("OAK-120", "90.00"),
        ("WALNUT-160", "120.00"),
    ]
    order = pay(api_client, client.post(CHECKOUT).json()["order_id"])
    assert sorted(order.items.values_list("sku", "discount_amount")) == [
        ("OAK-120", Decimal("90.00")),
        ("WALNUT-160", Decimal("120.00")),
    ]
    assert order.discount_amount == Decimal("210.00")


def test_a_demo_order_of_a_product_with_variants_buys_its_first_variant(table):
    product, oak, walnut = table

    order = demo_order_create(buyer=UserFactory(), products=[product], status="delivered", note="demo order")

    [item] = order.items.all()
    assert (item.variant_id, item.sku, item.variant_label, item.unit_price) == (
        oak.pk,
        "OAK-120",
        "wood: oak, size: 120",
        Decimal("900.00"),
    )
    assert order.subtotal == Decimal("900.00")


def test_a_provider_refusal_refills_the_variant_lines_and_their_stock(auth_client, fake_stripe, table):
    route_checkout_sessions(fake_stripe, status=400, error="Invalid currency")
    product, oak, walnut = table
    buyer = UserFactory()
    client = auth_client(buyer)
    client.post(ADD, {"product_id": product.pk, "variant_id": oak.pk, "quantity": 2}, format="json")
    client.post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")

    response = client.post(CHECKOUT)

    assert response.status_code == 502
    assert stocks(product) == (3, {"OAK-120": 2, "WALNUT-160": 1})
    lines = CartItem.objects.filter(cart__user=buyer).values_list("variant__sku", "quantity")
    assert sorted(lines) == [("OAK-120", 2), ("WALNUT-160", 1)]


def test_an_order_item_keeps_the_variants_own_photo_else_the_products(auth_client, fake_stripe, table):
    route_checkout_sessions(fake_stripe)
    product, oak, walnut = table
    add_image(product, name="products/table.jpg")
    ProductImage.objects.create(product=product, variant=walnut, image="products/walnut.jpg", order=5)
    client = auth_client(UserFactory())
    client.post(ADD, {"product_id": product.pk, "variant_id": oak.pk}, format="json")
    client.post(ADD, {"product_id": product.pk, "variant_id": walnut.pk}, format="json")

    order = Order.objects.get(pk=client.post(CHECKOUT).json()["order_id"])

    assert sorted(order.items.values_list("sku", "product_image")) == [
        ("OAK-120", "products/table.jpg"),
        ("WALNUT-160", "products/walnut.jpg"),
    ]
