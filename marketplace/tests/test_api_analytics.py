from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.activity.models import ProductDailyActivity
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order, OrderItem
from marketplace.tests.ordering_factories import OrderingProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/marketplace/seller/analytics/"


def order_of(seller, product, quantity, status, *, days_ago=0, buyer=None):
    order = Order.objects.create(
        buyer=buyer or UserFactory(),
        status=status,
        subtotal=product.price * quantity,
        total_amount=product.price * quantity,
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    add_item(order, seller, product, quantity)
    return order


def add_item(order, seller, product, quantity):
    OrderItem.objects.create(
        order=order,
        product=product,
        seller=seller,
        product_name=product.name,
        unit_price=product.price,
        quantity=quantity,
        total_price=product.price * quantity,
    )


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def catalogue(seller):
    chair = OrderingProductFactory(seller=seller, price=Decimal("100.00"), name="Chair")
    lamp = OrderingProductFactory(seller=seller, price=Decimal("20.00"), name="Lamp")
    OrderingProductFactory(seller=seller, is_active=False)
    Product.objects.filter(pk=chair.pk).update(view_count=400, click_count=40, favorite_count=7)
    Product.objects.filter(pk=lamp.pk).update(view_count=100, click_count=10, favorite_count=1)
    today = timezone.now().date()
    ProductDailyActivity.objects.create(product=chair, date=today, views=50, clicks=10, favorites=2)
    ProductDailyActivity.objects.create(product=chair, date=today - timedelta(days=100), views=300, clicks=20)
    order_of(seller, chair, 2, "awaiting_shipment")
    order_of(seller, lamp, 5, "delivered", days_ago=3)
    order_of(seller, chair, 1, "cancelled")
    order_of(seller, chair, 1, "delivered", days_ago=200)
    order_of(SellerFactory(), OrderingProductFactory(), 9, "delivered")  # someone else's sale
    return chair, lamp


def test_month_period(auth_client, seller, catalogue):
    chair, lamp = catalogue

    body = auth_client(seller).get(f"{URL}?period=month").json()

    assert body["total_revenue"] == "300.00"
    assert (body["total_orders"], body["total_items_sold"]) == (2, 7)
    assert (body["total_products"], body["active_products"]) == (3, 2)
    assert (body["total_views"], body["total_clicks"], body["total_favorites"]) == (50, 10, 2)
    assert body["view_to_click_rate"] == 20.0
    assert body["click_to_sale_rate"] == 70.0
    assert body["pending_fulfillment_count"] == 1
    assert body["orders_by_status"]["awaiting_shipment"] == 1
    assert body["orders_by_status"]["delivered"] == 1
    assert body["orders_by_status"]["cancelled"] == 1
    assert body["top_products"] == [
        {"id": str(lamp.pk), "name": "Lamp", "total_sold": 5, "views": 0, "revenue": "100.00"},
        {"id": str(chair.pk), "name": "Chair", "total_sold": 2, "views": 50, "revenue": "200.00"},
    ]
    assert [r["items_count"] for r in body["recent_orders"]] == [1, 2, 5]  # newest first
    assert set(body["recent_orders"][0]) == {
        "id",
        "buyer_username",
        "items_count",
        "status",
        "total_amount",
        "created_at",
    }


@pytest.mark.parametrize(("period", "revenue", "views"), [("today", "200.00", 50), ("all", "400.00", 500)])
def test_other_periods(auth_client, seller, catalogue, period, revenue, views):
    body = auth_client(seller).get(f"{URL}?period={period}").json()

    assert body["total_revenue"] == revenue
    assert body["total_views"] == views


def test_non_seller_is_403_and_bad_period_400(auth_client, seller):
    refused = auth_client(UserFactory()).get(URL)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    response = auth_client(seller).get(f"{URL}?period=decade")
    assert response.status_code == 400
    assert "period" in response.json()


def test_query_count_is_fixed(auth_client, seller, catalogue, django_assert_max_num_queries):
    # 10: the sales per variant (``variant_sales``) are one aggregate query of their own.
    with django_assert_max_num_queries(10):
        assert auth_client(seller).get(URL).status_code == 200


def test_an_order_shared_with_another_seller_counts_only_this_sellers_part(auth_client, seller):
    chair = OrderingProductFactory(seller=seller, price=Decimal("100.00"), name="Chair")
    other_seller = SellerFactory()
    vase = OrderingProductFactory(seller=other_seller, price=Decimal("30.00"), name="Vase")
    order = order_of(seller, chair, 2, "delivered")
    add_item(order, other_seller, vase, 3)
    Order.objects.filter(pk=order.pk).update(subtotal=Decimal("290.00"), total_amount=Decimal("290.00"))

    mine = auth_client(seller).get(f"{URL}?period=month").json()
    theirs = auth_client(other_seller).get(f"{URL}?period=month").json()

    assert (mine["total_revenue"], mine["total_items_sold"], mine["total_orders"]) == ("200.00", 2, 1)
    assert [(r["items_count"], r["total_amount"]) for r in mine["recent_orders"]] == [(2, "200.00")]
    assert (theirs["total_revenue"], theirs["total_items_sold"]) == ("90.00", 3)
    assert [(r["items_count"], r["total_amount"]) for r in theirs["recent_orders"]] == [(3, "90.00")]
    assert [p["name"] for p in theirs["top_products"]] == ["Vase"]
