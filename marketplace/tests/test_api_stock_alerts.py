"""Back-in-stock alerts ("notify me") through the real URLs: one notification per subscription on
restock (not one per stock change), refused for an in-stock or one's own product."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.alerts.models import StockAlert
from marketplace.alerts.services import stock_alerts_fire
from marketplace.tests.ordering_factories import OrderingProductFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/marketplace/products/"


@pytest.fixture
def chair():
    return OrderingProductFactory(
        seller=SellerFactory(), name="Oak Chair", price=Decimal("80.00"), stock_quantity=0
    )


def restock(auth_client, product, quantity):
    answer = auth_client(product.seller).patch(
        f"{PRODUCTS}{product.slug}/", {"stock_quantity": quantity}, format="json"
    )
    assert answer.status_code == 200, answer.content


def test_two_restocks_send_one_notification_and_one_email_per_subscriber(auth_client, chair, mailoutbox):
    ada, bob = UserFactory(), UserFactory()
    first = auth_client(ada).post(f"{PRODUCTS}{chair.slug}/notify_me/")
    again = auth_client(ada).post(f"{PRODUCTS}{chair.slug}/notify_me/")
    assert (first.status_code, first.json()) == (201, {"product_id": str(chair.pk), "subscribed": True})
    assert again.status_code == 200
    assert auth_client(bob).post(f"{PRODUCTS}{chair.slug}/notify_me/").status_code == 201

    restock(auth_client, chair, 3)
    restock(auth_client, chair, 5)

    for user in (ada, bob):
        [notice] = Notification.objects.filter(recipient=user)
        assert (notice.kind, notice.link_type, notice.link_id, notice.title) == (
            "back_in_stock",
            "product",
            str(chair.pk),
            "Oak Chair is back in stock",
        )
        assert [m.subject for m in mailoutbox if m.to == [user.email]] == ["Oak Chair is back in stock"]
    assert Notification.objects.filter(recipient=chair.seller).count() == 0
    assert stock_alerts_fire(product_id=chair.pk) == 0  # a redelivered task sends nothing


def test_a_new_subscription_after_a_restock_is_told_of_the_next_one(auth_client, chair, mailoutbox):
    ada = UserFactory()
    auth_client(ada).post(f"{PRODUCTS}{chair.slug}/notify_me/")
    restock(auth_client, chair, 1)
    restock(auth_client, chair, 0)  # sold out again
    assert auth_client(ada).post(f"{PRODUCTS}{chair.slug}/notify_me/").status_code == 201
    restock(auth_client, chair, 2)
    assert Notification.objects.filter(recipient=ada, kind="back_in_stock").count() == 2


def test_a_cancelled_alert_is_not_told(auth_client, chair):
    ada = UserFactory()
    auth_client(ada).post(f"{PRODUCTS}{chair.slug}/notify_me/")
    assert auth_client(ada).delete(f"{PRODUCTS}{chair.slug}/notify_me/").status_code == 204
    restock(auth_client, chair, 4)
    assert Notification.objects.filter(recipient=ada).count() == 0


def test_refused_alerts_store_nothing(auth_client, api_client, chair):
    in_stock = OrderingProductFactory(stock_quantity=2)
    buyer = UserFactory()
    answer = auth_client(buyer).post(f"{PRODUCTS}{in_stock.slug}/notify_me/")
    assert (answer.status_code, answer.json()["code"]) == (400, "in_stock")
    answer = auth_client(chair.seller).post(f"{PRODUCTS}{chair.slug}/notify_me/")
    assert (answer.status_code, answer.json()["code"]) == (400, "own_product")
    assert auth_client(buyer).post(f"{PRODUCTS}no-such-chair/notify_me/").status_code == 404
    assert api_client.post(f"{PRODUCTS}{chair.slug}/notify_me/").status_code == 401
    assert StockAlert.objects.count() == 0
