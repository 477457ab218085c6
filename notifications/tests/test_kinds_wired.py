"""Each domain event raises its notification for the right person, through the real URLs:
orders and shipments, cancellation, returns and refunds, reviews, payouts, seller applications."""

import json
from decimal import Decimal

import pytest

from authentication.models import SellerApplication
from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET
from marketplace.tests.catalog_factories import ProductFactory, received_order_item
from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order, route_refunds
from notifications.models import Notification
from payment_system.tests.connect_factories import StripeConnectAccountFactory
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.stripe_objects import stripe_payout

pytestmark = pytest.mark.django_db
ORDERS = "/api/marketplace/orders/"
INBOX = "/api/notifications/"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")


def kinds_of(user):
    return [
        (n.kind, n.link_type, n.link_id) for n in Notification.objects.filter(recipient=user).order_by("id")
    ]


def inbox_kinds(auth_client, user):
    return [n["kind"] for n in auth_client(user).get(INBOX).json()["results"]]


def subjects_to(mailoutbox, user):
    return [m.subject for m in mailoutbox if m.to == [user.email]]


def test_a_paid_two_seller_order_tells_each_seller_and_the_buyer(
    auth_client, api_client, fake_stripe, mailoutbox
):
    first, second, buyer = SellerFactory(), SellerFactory(), UserFactory()
    chair = OrderingProductFactory(seller=first, price=Decimal("100.00"))
    lamp = OrderingProductFactory(seller=second, price=Decimal("50.00"))
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1), (lamp, 1))
    shipments = {s.seller_id: str(s.pk) for s in order.shipments.all()}

    assert kinds_of(first) == [("shipment_paid", "shipment", shipments[first.pk])]
    assert kinds_of(second) == [("shipment_paid", "shipment", shipments[second.pk])]
    assert kinds_of(buyer) == [("payment_confirmed", "order", str(order.pk))]
    assert inbox_kinds(auth_client, first) == ["shipment_paid"]
    # the buyer's e-mail is the receipt alone; each seller gets one e-mail for their shipment
    assert subjects_to(mailoutbox, buyer) == [f"Your Designia order {str(order.pk)[:8].upper()} is confirmed"]
    assert len(subjects_to(mailoutbox, first)) == len(subjects_to(mailoutbox, second)) == 1


def test_a_buyers_cancel_of_a_paid_order_tells_each_seller(auth_client, api_client, fake_stripe, mailoutbox):
    route_refunds(fake_stripe, status="succeeded")
    first, second, buyer = SellerFactory(), SellerFactory(), UserFactory()
    chair = OrderingProductFactory(seller=first)
    lamp = OrderingProductFactory(seller=second)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1), (lamp, 1))

    answer = auth_client(buyer).post(f"{ORDERS}{order.pk}/cancel/", {"reason": "changed_mind"}, format="json")

    assert answer.status_code == 200, answer.content
    for seller in (first, second):
        assert kinds_of(seller)[-1] == ("order_cancelled", "order", str(order.pk))
        assert f"Order {str(order.pk)[:8].upper()} was cancelled" in subjects_to(mailoutbox, seller)
    assert [kind for kind, _, _ in kinds_of(buyer)].count("refund_sent") == 2


def delivered_order(auth_client, api_client, fake_stripe, seller, buyer, quantity=2):
    chair = OrderingProductFactory(seller=seller, price=Decimal("100.00"), stock_quantity=5)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, quantity))
    shipping = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    assert auth_client(seller).patch(f"{ORDERS}{order.pk}/update_shipping/", shipping).status_code == 200
    assert auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/").status_code == 200
    return order


def ask_return(auth_client, buyer, order):
    body = {"items": [{"itemId": order.items.get().pk, "quantity": 1}], "reason": "defective"}
    answer = auth_client(buyer).post(f"{ORDERS}{order.pk}/return/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def test_a_return_is_told_to_the_seller_and_its_approval_and_refund_to_the_buyer(
    auth_client, api_client, fake_stripe, mailoutbox
):
    route_refunds(fake_stripe, status="succeeded")
    seller, buyer = SellerFactory(), UserFactory()
    order = delivered_order(auth_client, api_client, fake_stripe, seller, buyer)
    assert [kind for kind, _, _ in kinds_of(buyer)] == [
        "payment_confirmed",
        "shipment_shipped",
        "shipment_delivered",
    ]

    return_id = ask_return(auth_client, buyer, order)
    assert kinds_of(seller)[-1] == ("return_requested", "return_request", str(return_id))
    assert auth_client(seller).post(f"/api/marketplace/returns/{return_id}/approve/").status_code == 200

    assert [kind for kind, _, _ in kinds_of(buyer)][-2:] == ["return_approved", "refund_sent"]
    refund = Notification.objects.get(recipient=buyer, kind="refund_sent")
    assert refund.title == "Refund of 110.00 USD sent"
    # a partial refund has its own e-mail (the order e-mail only covers a full refund)
    assert "Refund of 110.00 USD sent" in subjects_to(mailoutbox, buyer)


def test_a_rejected_return_is_told_to_the_buyer(auth_client, api_client, fake_stripe):
    seller, buyer = SellerFactory(), UserFactory()
    order = delivered_order(auth_client, api_client, fake_stripe, seller, buyer, quantity=1)
    return_id = ask_return(auth_client, buyer, order)
    assert auth_client(seller).post(f"/api/marketplace/returns/{return_id}/reject/").status_code == 200
    assert kinds_of(buyer)[-1] == ("return_rejected", "return_request", str(return_id))


def test_a_review_is_told_to_the_products_seller(auth_client):
    product = ProductFactory()
    reviewer = UserFactory()
    received_order_item(buyer=reviewer, product=product, status="delivered")
    body = {"product_id": 1, "rating": 4, "title": "Sturdy", "comment": "Solid and beautiful piece."}
    answer = auth_client(reviewer).post(
        f"/api/marketplace/products/{product.slug}/reviews/", body, format="json"
    )
    assert answer.status_code == 201, answer.content
    [notice] = Notification.objects.filter(recipient=product.seller)
    assert (notice.kind, notice.link_type, notice.link_id, notice.title) == (
        "review_received",
        "product",
        str(product.pk),
        f"New 4-star review of {product.name}",
    )


def deliver_connect(client, body):
    payload = json.dumps(body)
    return client.post(
        "/api/payments/stripe_connect_webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, STRIPE_TEST_CONNECT_WEBHOOK_SECRET),
    )


def test_payouts_sent_and_failed_are_told_to_the_seller_once(fake_stripe, api_client, mailoutbox):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    paid = event("payout.paid", stripe_payout(status="paid"), account="acct_1Oak", created=1795478420)
    failed = stripe_payout("po_2Oak", status="failed", failure_message="The bank account has been closed.")
    for body in (paid, paid, event("payout.failed", failed, account="acct_1Oak", created=1795478430)):
        assert deliver_connect(api_client, body).status_code == 200

    assert [
        (n.kind, n.title) for n in Notification.objects.filter(recipient=account.seller).order_by("id")
    ] == [
        ("payout_sent", "Payout of 123.45 USD sent"),
        ("payout_failed", "Payout of 123.45 USD failed"),
    ]
    assert subjects_to(mailoutbox, account.seller) == [
        "Payout of 123.45 USD sent",
        "Payout of 123.45 USD failed",
    ]


def test_a_seller_application_decision_is_a_notification_with_its_email(auth_client, mailoutbox):
    applicant = UserFactory(two_factor_enabled=True)
    form = {
        "business_name": "Oak & Ash",
        "motivation": "I build solid oak tables by hand in my workshop.",
        "seller_type": "individual",
        "portfolio_url": "",
    }
    assert auth_client(applicant).post("/api/auth/seller/apply/", form, format="multipart").status_code == 201
    application = SellerApplication.objects.get(user=applicant)
    answer = auth_client(StaffFactory()).post(
        f"/api/auth/admin/seller/applications/{application.pk}/", {"action": "approve"}, format="json"
    )
    assert answer.status_code == 200
    assert kinds_of(applicant) == [("seller_application_decided", "seller_application", str(application.pk))]
    [message] = [m for m in mailoutbox if m.to == [applicant.email] and "approved" in m.subject]
    assert "Stop these e-mails: http" in message.body and "List-Unsubscribe" in message.extra_headers
