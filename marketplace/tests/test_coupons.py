"""Coupons through the real URLs: seller and platform codes, apply/remove, the discount per covered
line, seller shares and platform fee, limits, bad input and the last use under concurrency."""

from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.db import connection
from django.utils import timezone

from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from marketplace.coupons.exceptions import CouponUsedUp
from marketplace.coupons.models import Coupon, CouponRedemption
from marketplace.ordering.models import Order
from marketplace.ordering.services.checkout import order_place_from_cart
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    fill_cart,
    route_checkout_sessions,
    route_refunds,
    run_concurrently,
    send_event,
)
from payment_system.payments.models import SellerTransaction
from payment_system.rates.models import ExchangeRate

pytestmark = pytest.mark.usefixtures("eu_vat_rates")
CART = "/api/marketplace/cart/"


def store_rates(rates):
    for code, rate in rates.items():
        ExchangeRate.objects.create(
            base_currency="EUR",
            currency=code,
            rate=rate,
            rate_date=timezone.localdate(),
            source="ecb",
            fetched_at=timezone.now(),
        )


COUPONS = "/api/marketplace/coupons/"
CHECKOUT = "/api/payments/checkout_session/"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0")
    settings.STRIPE_APPLICATION_FEE_PERCENT = Decimal("10")


def seller_in(country):
    seller = SellerFactory()
    seller.profile.country = country
    seller.profile.save()
    return seller


def create(client, **body):
    return client.post(COUPONS, {"kind": "percent", "value": "10", **body}, format="json")


def apply(client, code):
    return client.post(f"{CART}apply_coupon/", {"code": code}, format="json")


@pytest.mark.django_db
def test_acceptance_oak10_two_sellers_buyer_in_germany(auth_client, api_client, fake_stripe):
    """Issue 14's acceptance: OAK10 of a PT seller, a DE buyer with a two-seller cart."""
    route_checkout_sessions(fake_stripe)
    oak, other = seller_in("PT"), seller_in("US")
    table = OrderingProductFactory(seller=oak, name="Oak table", price=Decimal("238.00"), currency="EUR")
    stool = OrderingProductFactory(seller=oak, name="Oak stool", price=Decimal("59.50"), currency="EUR")
    vase = OrderingProductFactory(seller=other, name="Vase", price=Decimal("40.00"), currency="EUR")

    created = create(auth_client(oak), code="OAK10", max_uses=50)
    assert created.status_code == 201, created.content
    assert (created.json()["code"], created.json()["is_platform"]) == ("OAK10", False)

    buyer = UserFactory()
    client = auth_client(buyer)
    for product, quantity in ((table, 1), (stool, 2), (vase, 1)):
        client.post(f"{CART}add_item/", {"product_id": product.pk, "quantity": quantity}, format="json")
    applied = apply(client, "oak10")
    assert applied.status_code == 200, applied.content
    cart = client.get(f"{CART}?country=DE").json()
    assert cart["coupon"] == {"code": "OAK10", "applies": True, "discount_amount": "35.70"}
    lines = {line["product"]["id"]: line for line in cart["items"]}
    # only seller 1's lines: 10 % of 238.00 and of 119.00
    assert lines[str(table.pk)]["discount_amount"] == "23.80"
    assert lines[str(stool.pk)]["discount_amount"] == "11.90"
    assert lines[str(vase.pk)]["discount_amount"] == "0.00"
    groups = {group["seller_id"]: group for group in cart["shipping_groups"]}
    oak_group, other_group = groups[str(oak.pk)], groups[str(other.pk)]
    # 19 % on both parts: seller 1's prices include it ((357 - 35.70 + 10) x 19/119 = 52.90)
    assert (oak_group["tax_rate"], oak_group["prices_include_tax"]) == ("0.1900", True)
    assert (oak_group["discount_amount"], oak_group["tax_amount"], oak_group["total_amount"]) == (
        "35.70",
        "52.90",
        "331.30",
    )
    # seller 2's price is exclusive: (40 + 10) x 19 % = 9.50 on top
    assert (other_group["tax_rate"], other_group["prices_include_tax"]) == ("0.1900", False)
    assert (other_group["discount_amount"], other_group["tax_amount"], other_group["total_amount"]) == (
        "0.00",
        "9.50",
        "59.50",
    )
    assert cart["totals"]["total_amount"] == "390.80"

    response = client.post(CHECKOUT, {"country": "DE"}, format="json")
    assert response.status_code == 200, response.content
    order = Order.objects.get(buyer=buyer)
    assert (order.discount_amount, order.tax_amount, order.total_amount) == (
        Decimal("35.70"),
        Decimal("62.40"),
        Decimal("390.80"),
    )
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    form = request.form
    count = sum(1 for key in form if key.endswith("[quantity]"))
    charged = sum(
        int(form[f"line_items[{i}][price_data][unit_amount]"]) * int(form[f"line_items[{i}][quantity]"])
        for i in range(count)
    )
    assert charged == 39080  # the Stripe session's amounts equal the order's
    assert all(int(form[f"line_items[{i}][price_data][unit_amount]"]) >= 0 for i in range(count))

    assert send_event(api_client, "checkout.session.completed", completed_session(order)).status_code == 200
    shares = {row.seller_id: row for row in SellerTransaction.objects.filter(payment__order=order)}
    # seller 1's share is their discounted part; seller 2's is untouched
    assert (shares[oak.pk].gross_amount, shares[oak.pk].platform_fee) == (Decimal("331.30"), Decimal("33.13"))
    assert (shares[other.pk].gross_amount, shares[other.pk].platform_fee) == (
        Decimal("59.50"),
        Decimal("5.95"),
    )
    coupon = Coupon.objects.get(code="OAK10")
    assert coupon.uses_count == 1
    listed = auth_client(oak).get(COUPONS).json()
    assert (listed[0]["uses_count"], listed[0]["orders_count"], listed[0]["discount_total"]) == (
        1,
        1,
        "35.70",
    )

    analytics = auth_client(oak).get("/api/marketplace/seller/analytics/").json()
    assert analytics["coupon_uses"] == [{"code": "OAK10", "orders": 1, "discount_total": "35.70"}]
    assert auth_client(other).get("/api/marketplace/seller/analytics/").json()["coupon_uses"] == []

    # the catalogue in JPY: whole-yen display prices equal to price x the day's rate
    store_rates({"JPY": Decimal("161.37"), "USD": Decimal("1.05")})
    listed_jpy = api_client.get("/api/marketplace/products/?currency=JPY").json()["results"]
    shown = {item["id"]: item for item in listed_jpy}
    for product in (table, stool, vase):
        expected = (product.price * Decimal("161.37")).quantize(Decimal(1), ROUND_HALF_EVEN)
        assert shown[str(product.pk)]["display_price"] == str(expected)
        assert shown[str(product.pk)]["display_currency"] == "JPY"

    # the 51st use answers 409
    Coupon.objects.filter(pk=coupon.pk).update(uses_count=50)
    late = UserFactory()
    fill_cart(late, (table, 1))
    assert apply(auth_client(late), "OAK10").json()["code"] == "coupon_used_up"
    assert apply(auth_client(late), "OAK10").status_code == 409


@pytest.mark.django_db
def test_a_platform_code_comes_out_of_the_platform_fee(auth_client, api_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    staff, seller, buyer = StaffFactory(), SellerFactory(), UserFactory()
    product = OrderingProductFactory(seller=seller, price=Decimal("100.00"), currency="EUR")
    assert (
        create(
            auth_client(seller), code="SITE5", kind="fixed", value="5", currency="EUR", platform=True
        ).status_code
        == 403
    )
    created = create(auth_client(staff), code="SITE5", kind="fixed", value="5", currency="EUR", platform=True)
    assert created.status_code == 201, created.content
    assert created.json()["is_platform"] is True
    client = auth_client(buyer)
    fill_cart(buyer, (product, 1))
    assert apply(client, "SITE5").status_code == 200

    client.post(CHECKOUT)
    order = Order.objects.get(buyer=buyer)
    assert (order.discount_amount, order.total_amount) == (Decimal("5.00"), Decimal("105.00"))
    shipment = order.shipments.get()
    assert shipment.platform_discount_amount == Decimal("5.00")
    send_event(api_client, "checkout.session.completed", completed_session(order))
    share = SellerTransaction.objects.get(payment__order=order)
    # the seller keeps their undiscounted share: fee 10 % of 110 = 11.00, less the 5.00 the platform funds
    assert (share.gross_amount, share.platform_fee) == (Decimal("105.00"), Decimal("6.00"))
    assert share.gross_amount - share.platform_fee == Decimal("99.00")


@pytest.mark.django_db
def test_remove_and_a_product_list_and_min_spend(auth_client):
    seller, buyer = SellerFactory(), UserFactory()
    chair = OrderingProductFactory(seller=seller, price=Decimal("50.00"))
    lamp = OrderingProductFactory(seller=seller, price=Decimal("30.00"))
    assert (
        create(
            auth_client(seller),
            code="CHAIR",
            kind="percent",
            value="50",
            product_ids=[str(chair.pk)],
            min_spend="100",
        ).status_code
        == 201
    )
    client = auth_client(buyer)
    fill_cart(buyer, (chair, 1), (lamp, 1))
    below = apply(client, "CHAIR")
    assert (below.status_code, below.json()["code"]) == (400, "coupon_not_applicable")
    client.patch(f"{CART}update_item/", {"product_id": chair.pk, "quantity": 2}, format="json")
    cart = apply(client, "CHAIR").json()
    lines = {line["product"]["id"]: line["discount_amount"] for line in cart["items"]}
    assert lines == {str(chair.pk): "50.00", str(lamp.pk): "0.00"}
    assert cart["totals"]["discount_amount"] == "50.00"
    again = apply(client, "chair")
    assert (again.status_code, again.json()["code"]) == (409, "coupon_already_applied")
    removed = client.post(f"{CART}remove_coupon/").json()
    assert (removed["coupon"], removed["totals"]["discount_amount"]) == (None, "0.00")


@pytest.mark.django_db
def test_bad_codes_are_clear_4xx_and_store_nothing(auth_client):
    seller, stranger, buyer = SellerFactory(), SellerFactory(), UserFactory()
    product = OrderingProductFactory(seller=seller, price=Decimal("80.00"))
    now = timezone.now()
    Coupon.objects.create(
        code="OLD", seller=seller, kind="percent", value=10, ends_at=now - timedelta(days=1)
    )
    Coupon.objects.create(
        code="LATER", seller=seller, kind="percent", value=10, starts_at=now + timedelta(days=1)
    )
    Coupon.objects.create(code="GONE", seller=seller, kind="percent", value=10, max_uses=3, uses_count=3)
    Coupon.objects.create(code="THEIRS", seller=stranger, kind="percent", value=10)
    client = auth_client(buyer)
    fill_cart(buyer, (product, 1))

    for code, status, error in (
        ("NOPE", 400, "coupon_invalid"),
        ("OLD", 400, "coupon_invalid"),
        ("LATER", 400, "coupon_invalid"),
        ("GONE", 409, "coupon_used_up"),
        ("THEIRS", 400, "coupon_not_applicable"),
    ):
        response = apply(client, code)
        assert (response.status_code, response.json()["code"]) == (status, error), code
        assert response.json()["detail"]
    assert client.get(CART).json()["coupon"] is None

    as_seller = auth_client(seller)
    for body, field in (
        ({"code": "NEG", "value": "-5"}, "value"),
        ({"code": "BIG", "value": "101"}, "value"),
        ({"code": "FIX", "kind": "fixed", "value": "5"}, "currency"),
        ({"code": "OLD", "value": "5"}, "code"),
        ({"code": "bad code!", "value": "5"}, "code"),
        ({"code": "DEC", "value": "5.123"}, "value"),
    ):
        response = create(as_seller, **body)
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    theirs = OrderingProductFactory(seller=stranger)
    response = create(as_seller, code="MINE", product_ids=[str(theirs.pk)])
    assert (response.status_code, response.json()["code"]) == (400, "coupon_not_applicable")
    assert create(auth_client(buyer), code="BUYER").status_code == 403
    assert not Coupon.objects.filter(code__in=["NEG", "BIG", "FIX", "DEC", "MINE", "BUYER"]).exists()


@pytest.mark.django_db
def test_per_buyer_limit(auth_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    seller, buyer = SellerFactory(), UserFactory()
    product = OrderingProductFactory(seller=seller, price=Decimal("20.00"), stock_quantity=10)
    create(auth_client(seller), code="ONCE", max_uses_per_buyer=1)
    client = auth_client(buyer)
    fill_cart(buyer, (product, 1))
    apply(client, "ONCE")
    assert client.post(CHECKOUT).status_code == 200
    fill_cart(buyer, (product, 1))
    response = apply(client, "ONCE")
    assert (response.status_code, response.json()["code"]) == (409, "coupon_used_up")


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB")
@pytest.mark.django_db(transaction=True)
def test_two_buyers_taking_the_last_use_at_once_one_wins_the_other_409():
    seller = SellerFactory()
    product = OrderingProductFactory(seller=seller, price=Decimal("60.00"), stock_quantity=10)
    coupon = Coupon.objects.create(
        code="LAST", seller=seller, kind="percent", value=10, max_uses=5, uses_count=4
    )
    buyers = [UserFactory() for _ in range(2)]
    from marketplace.coupons.services import cart_apply_coupon

    for buyer in buyers:
        fill_cart(buyer, (product, 1))
        cart_apply_coupon(user=buyer, code="LAST")

    results = run_concurrently([lambda buyer=buyer: order_place_from_cart(buyer=buyer) for buyer in buyers])

    outcomes = sorted(outcome for outcome, _ in results)
    assert outcomes == ["error", "ok"]
    [error] = [value for outcome, value in results if outcome == "error"]
    assert isinstance(error, CouponUsedUp) and error.status == 409
    coupon.refresh_from_db()
    assert coupon.uses_count == 5
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_partial_return_refunds_the_discount_proportionally(auth_client, api_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    route_refunds(fake_stripe, status="succeeded")
    seller, buyer = SellerFactory(), UserFactory()
    cup = OrderingProductFactory(seller=seller, price=Decimal("33.33"), stock_quantity=5)
    create(auth_client(seller), code="CUPS", kind="percent", value="15")
    client = auth_client(buyer)
    fill_cart(buyer, (cup, 3))
    apply(client, "CUPS")
    client.post(CHECKOUT)
    order = Order.objects.get(buyer=buyer)
    item = order.items.get()
    assert (item.total_price, item.discount_amount) == (Decimal("99.99"), Decimal("15.00"))
    send_event(api_client, "checkout.session.completed", completed_session(order))
    orders = "/api/marketplace/orders/"
    auth_client(seller).patch(
        f"{orders}{order.pk}/update_shipping/",
        {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
        format="json",
    )
    client.post(f"{orders}{order.pk}/confirm_delivery/")

    returned = client.post(
        f"{orders}{order.pk}/return/",
        {"items": [{"itemId": item.pk, "quantity": 2}], "reason": "defective", "proof_images": []},
        format="json",
    )
    assert returned.status_code == 201, returned.content
    approved = auth_client(seller).post(f"/api/marketplace/returns/{returned.json()['id']}/approve/")

    # 2 of 3 units of a line that paid 84.99: 56.66, never the undiscounted 66.66
    assert approved.status_code == 200, approved.content
    assert approved.json()["refund_amount"] == "56.66"
    [request] = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert request.form["amount"] == "5666"


@pytest.mark.django_db
def test_an_unpaid_order_cancelled_gives_its_use_back(auth_client, fake_stripe):
    route_checkout_sessions(fake_stripe)
    fake_stripe.on(
        "POST",
        r"/v1/checkout/sessions/.+/expire",
        (200, {"id": "cs_x", "object": "checkout.session", "status": "expired", "payment_status": "unpaid"}),
    )
    seller, buyer = SellerFactory(), UserFactory()
    product = OrderingProductFactory(seller=seller, price=Decimal("20.00"), stock_quantity=5)
    create(auth_client(seller), code="ONLY1", max_uses=1)
    client = auth_client(buyer)
    fill_cart(buyer, (product, 1))
    apply(client, "ONLY1")
    assert client.post(CHECKOUT).status_code == 200
    order = Order.objects.get(buyer=buyer)
    assert Coupon.objects.get(code="ONLY1").uses_count == 1

    cancelled = client.post(f"/api/marketplace/orders/{order.pk}/cancel/", {"reason": "other"}, format="json")

    assert cancelled.status_code == 200, cancelled.content
    assert Coupon.objects.get(code="ONLY1").uses_count == 0
    assert not CouponRedemption.objects.filter(order=order).exists()
    fill_cart(buyer, (product, 1))
    assert apply(client, "ONLY1").status_code == 200
