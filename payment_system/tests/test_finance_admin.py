"""Finance admin: Django admin actions (release now, hold, retry) and the admin API lists with totals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from authentication.models import User
from authentication.tests.factories import SellerFactory, StaffFactory
from payment_system.connect.models import Payout
from payment_system.payments.models import SellerTransaction
from payment_system.payouts.models import ReconciliationReport, Transfer
from payment_system.tests.payouts_factories import connected_seller, held_transaction, payout, route_transfers

pytestmark = pytest.mark.django_db

ADMIN = "/admin/payment_system"


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser(email="finance@example.com", password="Adm1n-Passw0rd!"))
    return client


def run_action(client, model, action, pks):
    return client.post(f"{ADMIN}/{model}/", {"action": action, "_selected_action": [str(pk) for pk in pks]})


def test_release_now_transfers_before_the_hold_ends_and_is_logged(admin_client, fake_stripe):
    route_transfers(fake_stripe)
    row = held_transaction(held_until=timezone.now() + timedelta(days=5))

    response = run_action(admin_client, "sellertransaction", "release_now", [row.pk])

    assert response.status_code == 302
    [request] = fake_stripe.requests_to("POST", r"/v1/transfers")
    assert (request.form["amount"], request.idempotency_key) == ("7809", f"transfer-{row.pk}-1")
    assert SellerTransaction.objects.get(pk=row.pk).status == "released"
    entry = LogEntry.objects.get(object_id=str(row.pk))
    assert entry.get_change_message() == "Release now: released"


def test_release_now_still_refuses_a_disputed_order(admin_client, fake_stripe):
    route_transfers(fake_stripe)
    row = held_transaction(needs_review=True)

    run_action(admin_client, "sellertransaction", "release_now", [row.pk])

    assert fake_stripe.requests_to("POST", r"/v1/transfers") == []
    assert SellerTransaction.objects.get(pk=row.pk).status == "held"
    assert LogEntry.objects.get(object_id=str(row.pk)).get_change_message() == "Release now: blocked dispute"


def test_hold_stops_the_automatic_release(admin_client, fake_stripe):
    route_transfers(fake_stripe)
    row = held_transaction()

    run_action(admin_client, "sellertransaction", "hold", [row.pk])
    from payment_system.Tasks import release_held_funds_task

    release_held_funds_task.delay()

    row.refresh_from_db()
    assert (row.status, row.held_until) == ("held", None)
    assert fake_stripe.requests_to("POST", r"/v1/transfers") == []
    assert LogEntry.objects.get(object_id=str(row.pk)).get_change_message() == "Held by staff"


def test_retry_failed_transfer_goes_through_the_release_service(admin_client, fake_stripe):
    route_transfers(fake_stripe, status=400)
    row = held_transaction()
    from payment_system.Tasks import release_held_funds_task

    release_held_funds_task.delay()
    transfer = Transfer.objects.get(seller_transaction=row)
    route_transfers(fake_stripe)

    response = run_action(admin_client, "transfer", "retry_failed_transfer", [transfer.pk])

    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempt) == ("succeeded", 2)
    assert fake_stripe.requests_to("POST", r"/v1/transfers")[-1].idempotency_key == f"transfer-{row.pk}-2"
    assert LogEntry.objects.get(object_id=str(transfer.pk)).get_change_message() == (
        "Retry failed transfer: released"
    )


def test_staff_without_change_permission_cannot_run_money_actions(client, fake_stripe):
    route_transfers(fake_stripe)
    staff = StaffFactory()
    staff.user_permissions.add(*_view_permissions())
    client.force_login(staff)
    row = held_transaction()

    client.post(f"{ADMIN}/sellertransaction/", {"action": "release_now", "_selected_action": [str(row.pk)]})

    assert fake_stripe.requests_to("POST", r"/v1/transfers") == []
    assert SellerTransaction.objects.get(pk=row.pk).status == "held"


def _view_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=["view_sellertransaction", "view_transfer"])


def test_finance_pages_render_read_only(admin_client, fake_stripe):
    route_transfers(fake_stripe)
    row = held_transaction()
    run_action(admin_client, "sellertransaction", "release_now", [row.pk])
    report = ReconciliationReport.objects.create(
        date=timezone.now().date(), status="mismatch", differences=[{"problem": "missing_locally"}]
    )
    for model in (
        "payment",
        "sellertransaction",
        "transfer",
        "transferreversal",
        "refund",
        "stripewebhookevent",
    ):
        assert admin_client.get(f"{ADMIN}/{model}/").status_code == 200, model
        assert admin_client.get(f"{ADMIN}/{model}/add/").status_code == 403, model
    page = admin_client.get(f"{ADMIN}/reconciliationreport/{report.pk}/change/").content.decode()
    assert "&quot;missing_locally&quot;" in page
    detail = admin_client.get(f"{ADMIN}/sellertransaction/{row.pk}/change/").content.decode()
    assert Transfer.objects.get().stripe_transfer_id in detail
    assert 'name="_save"' not in detail


# --- admin API -----------------------------------------------------------------------------------------------


@pytest.fixture
def ledger():
    alice, bob = connected_seller(), connected_seller()
    rows = [
        held_transaction(seller=alice),  # 90.00 / 9.00 / 2.91 / 78.09
        held_transaction(
            seller=alice, gross=Decimal("50.00"), platform_fee=Decimal("5.00"), stripe_fee=Decimal("1.75")
        ),
        held_transaction(
            seller=bob, gross=Decimal("20.00"), platform_fee=Decimal("2.00"), stripe_fee=Decimal("0.88")
        ),
        held_transaction(seller=bob, status="released"),
        held_transaction(
            seller=alice,
            gross=Decimal("5000"),
            platform_fee=Decimal("500"),
            stripe_fee=Decimal("0"),
            currency="JPY",
        ),
    ]
    old = timezone.now() - timedelta(days=40)
    SellerTransaction.objects.filter(pk=rows[2].pk).update(created_at=old)
    return alice, bob, rows, old


def test_admin_transactions_filter_and_total_exactly(auth_client, ledger, django_assert_max_num_queries):
    alice, bob, rows, old = ledger
    staff = StaffFactory()

    client = auth_client(staff)
    with django_assert_max_num_queries(8):
        everything = client.get("/api/payments/admin/transactions/").json()
    assert everything["count"] == 5
    assert everything["totals"] == [
        {
            "currency": "JPY",
            "count": 1,
            "gross_amount": "5000.00",
            "platform_fee": "500.00",
            "stripe_fee": "0.00",
            "net_amount": "4500.00",
            "refunded_amount": "0.00",
        },
        {
            "currency": "USD",
            "count": 4,
            "gross_amount": "250.00",
            "platform_fee": "25.00",
            "stripe_fee": "8.45",
            "net_amount": "216.55",
            "refunded_amount": "0.00",
        },
    ]

    held_by_alice = (
        auth_client(staff)
        .get("/api/payments/admin/transactions/", {"status": "held", "seller": str(alice.pk), "page_size": 1})
        .json()
    )
    assert (held_by_alice["count"], held_by_alice["num_pages"], len(held_by_alice["results"])) == (3, 3, 1)
    assert [t["count"] for t in held_by_alice["totals"]] == [1, 2]
    assert held_by_alice["totals"][1]["net_amount"] == "121.34"  # 78.09 + 43.25

    recent_bob = (
        auth_client(staff)
        .get(
            "/api/payments/admin/transactions/",
            {"seller": str(bob.pk), "date_from": (old + timedelta(days=1)).date().isoformat()},
        )
        .json()
    )
    assert [r["id"] for r in recent_bob["results"]] == [str(rows[3].pk)]
    assert recent_bob["results"][0]["seller_email"] == bob.email
    assert recent_bob["totals"][0]["gross_amount"] == "90.00"

    window = (
        auth_client(staff)
        .get(
            "/api/payments/admin/transactions/",
            {"date_from": old.date().isoformat(), "date_to": old.date().isoformat()},
        )
        .json()
    )
    assert [r["id"] for r in window["results"]] == [str(rows[2].pk)]


def test_admin_payouts_filter_and_total_exactly(auth_client):
    alice, bob = connected_seller(), connected_seller()
    payout(alice, amount_minor=12345)
    payout(alice, amount_minor=655, status=Payout.Status.IN_TRANSIT)
    payout(bob, amount_minor=1000)
    staff = StaffFactory()

    body = auth_client(staff).get("/api/payments/admin/payouts/").json()
    assert body["count"] == 3
    assert body["totals"] == [{"currency": "USD", "count": 3, "amount": "140.00"}]

    paid_alice = (
        auth_client(staff)
        .get("/api/payments/admin/payouts/", {"status": "paid", "seller": str(alice.pk)})
        .json()
    )
    assert paid_alice["totals"] == [{"currency": "USD", "count": 1, "amount": "123.45"}]
    assert paid_alice["results"][0]["seller_email"] == alice.email
    assert paid_alice["results"][0]["stripe_account_id"] == alice.stripe_connect_account.stripe_account_id


def test_admin_api_refuses_non_staff_and_bad_filters(auth_client, api_client):
    held_transaction()
    for user in (SellerFactory(), connected_seller()):
        response = auth_client(user).get("/api/payments/admin/transactions/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert "results" not in response.json()
    assert api_client.get("/api/payments/admin/payouts/").status_code == 401

    staff = StaffFactory()
    bad = auth_client(staff).get(
        "/api/payments/admin/transactions/", {"status": "lost", "seller": "nobody", "date_from": "yesterday"}
    )
    assert bad.status_code == 400
    body = bad.json()
    assert set(body) == {"status", "seller", "date_from", "code"}
    assert body["code"] == "invalid"
    reversed_range = auth_client(staff).get(
        "/api/payments/admin/payouts/", {"date_from": "2026-11-10", "date_to": "2026-11-01"}
    )
    assert reversed_range.status_code == 400
    assert reversed_range.json()["date_to"] == ["Must not be before date_from."]
    far_future = auth_client(staff).get("/api/payments/admin/transactions/", {"date_to": "9999-12-31"})
    assert (far_future.status_code, far_future.json()["count"]) == (200, 1)
