"""MariaDB killed (SIGKILL: a crash) and started again during checkout, against a real gunicorn.

The API runs as in production (``infrastructure/gunicorn/gunicorn.conf.py``) on a MariaDB server of
this test's own (its own data directory, port and socket); its database is a copy of the test
database (the migrated schema and the rows committed here) made with ``mariadb-dump``, so the
buyers, carts and tokens built with the factories are there. Requests go over HTTP; the final
state is read from the private server with SQL.
"""

import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.test import override_settings

from authentication.tests.factories import UserFactory
from designiaBackend.tests.faults.services import ROOT, PrivateMariaDB, dump_test_database
from designiaBackend.tests.ops.stack import Stack, start_gunicorn
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart
from notifications.unsubscribe import unsubscribe_token
from tests.fixtures.clients import bearer_for

CHECKOUT = "/api/payments/checkout_session/"
SECRET_KEY = "faults-mariadb-" + "k" * 50  # noqa: S105 - the test server's own, not the dev default
STOCK = 40
SWEEP = (
    "from payment_system.checkout.timeouts import stock_reservations_sweep;"
    " print('released', stock_reservations_sweep())"
)


def _sessions_route(fake_stripe, hang_for: set[str], hung: list[str], release: threading.Event):
    """Stripe's checkout sessions, one per idempotency key; the sessions of ``hang_for`` buyers'
    e-mails wait for ``release`` (the checkout is inside Stripe when the database dies)."""
    sessions: dict[str, dict] = {}
    lock = threading.Lock()

    def create(request, match):
        email = request.form.get("customer_email")
        if email in hang_for and not release.is_set():
            hung.append(email)
            release.wait(timeout=120)
        with lock:
            number = len(sessions) + 1
            session = sessions.setdefault(
                request.idempotency_key,
                {
                    "id": f"cs_test_db_{number}",
                    "object": "checkout.session",
                    "client_secret": f"cs_test_db_{number}_secret",
                    "status": "open",
                    "payment_status": "unpaid",
                    "amount_total": None,
                    "currency": request.form.get("line_items[0][price_data][currency]"),
                },
            )
        return 200, session

    fake_stripe.on("POST", r"/v1/checkout/sessions", create)
    return sessions


def _state(mariadb: PrivateMariaDB, database: str, product_id) -> dict:
    cursor = mariadb.connect(database).cursor()
    cursor.execute(
        "SELECT o.id, o.status, o.stock_released, o.buyer_id, p.checkout_session_id,"
        " (SELECT COALESCE(SUM(i.quantity), 0) FROM marketplace_orderitem i WHERE i.order_id = o.id)"
        " FROM marketplace_order o LEFT JOIN payment_system_payment p ON p.order_id = o.id"
    )
    orders = [
        dict(zip(["id", "status", "stock_released", "buyer", "session", "quantity"], row, strict=True))
        for row in cursor.fetchall()
    ]
    cursor.execute("SELECT stock_quantity FROM marketplace_product WHERE id = %s", [product_id])
    [(stock,)] = cursor.fetchall()
    cursor.execute(
        "SELECT c.user_id, COALESCE(SUM(i.quantity), 0) FROM marketplace_cart c"
        " LEFT JOIN marketplace_cartitem i ON i.cart_id = c.id GROUP BY c.user_id"
    )
    carts = {str(user): int(quantity) for user, quantity in cursor.fetchall()}
    cursor.connection.close()
    return {"orders": orders, "stock": stock, "carts": carts}


def _is_error_shape(response) -> bool:
    body = response.json()
    return {"detail", "error", "code"} <= set(body)


@pytest.mark.django_db(transaction=True)
def test_mariadb_killed_during_checkout_leaves_every_order_with_its_session_or_undone(
    private_redis, fake_stripe, tmp_path
):
    chair = OrderingProductFactory(price=Decimal("80.00"), stock_quantity=STOCK)
    buyers = [UserFactory() for _ in range(9)]
    for buyer in buyers:
        fill_cart(buyer, (chair, 2))
    bearer = {buyer.pk: bearer_for(buyer) for buyer in buyers}
    with override_settings(SECRET_KEY=SECRET_KEY):
        unsubscribe = unsubscribe_token(user_id=buyers[0].pk, kind="order_cancelled")
    before, inside, down, after = buyers[:2], buyers[2:4], buyers[4:6], buyers[6:]
    hung: list[str] = []
    release = threading.Event()
    sessions = _sessions_route(fake_stripe, {buyer.email for buyer in inside}, hung, release)

    database = "designia_faults"
    mariadb = PrivateMariaDB()
    stack = None
    try:
        started = time.monotonic()
        mariadb.start()
        mariadb.load(database, dump_test_database())
        stack = Stack.create(
            tmp_path,
            private_redis.url,
            {
                "DATABASE_URL": mariadb.url(database),
                "PAYMENT_GATEWAY": "stripe",
                "STRIPE_SECRET_KEY": "sk_test_fake",
                "STRIPE_API_BASE": fake_stripe.url,
                "STRIPE_TIMEOUT_SECONDS": "60",
                # As in production: Django's handler500 answers, not the debug page.
                "DEBUG": "false",
                "SECRET_KEY": SECRET_KEY,
                "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],  # the tokens made here
            },
        )
        api = start_gunicorn(stack)
        http = requests.Session()
        http.headers["X-Forwarded-Proto"] = "https"  # as Kong sends it (no redirect to https)
        http.max_redirects = 0
        assert time.monotonic() - started < 20, "the private database and the API start in seconds"

        def checkout(buyer):
            return http.post(f"{api.url}{CHECKOUT}", headers={"Authorization": bearer[buyer.pk]}, timeout=90)

        # Before: checkouts open their sessions.
        assert [checkout(buyer).status_code for buyer in before] == [200, 200]

        # During: two checkouts are inside Stripe (their orders committed) when MariaDB dies ...
        answers = {}
        threads = [
            threading.Thread(target=lambda b=buyer: answers.__setitem__(b.pk, checkout(b)))
            for buyer in inside
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(hung) < len(inside) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(hung) == len(inside), api.log_tail()
        mariadb.kill()
        release.set()
        for thread in threads:
            thread.join(timeout=90)
        # ... and two more arrive while it is down.
        refused = [checkout(buyer) for buyer in down]
        # A page outside DRF (Django's handler500) answers the same way.
        page = http.get(f"{api.url}/notifications/unsubscribe/", params={"token": unsubscribe}, timeout=30)
        for response in [*answers.values(), *refused, page]:
            assert response.status_code == 503, (response.status_code, response.text[:500])
            assert _is_error_shape(response) and response.json()["code"] == "database_unavailable"
            assert response.headers["Retry-After"] == "5"

        mariadb.start()  # InnoDB recovers the committed transactions

        # After: new checkouts work; the refused buyers' carts were kept, so they simply retry.
        assert [checkout(buyer).status_code for buyer in after] == [200] * len(after)
        assert [checkout(buyer).status_code for buyer in down] == [200] * len(down)
        # The checkouts that died inside Stripe left whole pending orders without a session. One
        # buyer finds it (``GET /orders/``) and pays it (E39): a session is opened for it now.
        payer, leaver = inside
        headers = {"Authorization": bearer[payer.pk]}
        listed = http.get(f"{api.url}/api/marketplace/orders/", headers=headers, timeout=30).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        [pending] = [row for row in rows if row["status"] == "pending_payment"]
        retry = http.get(f"{api.url}{CHECKOUT}retry/{pending['id']}/", headers=headers, timeout=30)
        assert retry.status_code == 200, retry.text[:500]
        # The other never comes back: when its reservation ends, the beat's reservation sweep
        # (run here as the worker runs it, on the private database) gives its stock back.
        connection = mariadb.connect(database)
        connection.cursor().execute(
            "UPDATE marketplace_order SET reserved_until = NOW(6) - INTERVAL 1 MINUTE WHERE buyer_id = %s",
            [str(leaver.pk)],
        )
        connection.commit()
        connection.close()
        sweep = subprocess.run(  # noqa: S603 - our interpreter and arguments
            [sys.executable, "manage.py", "shell", "-c", SWEEP],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sweep.stdout.strip().splitlines()[-1:] == ["released 1"], (
            sweep.stdout[-2000:] + sweep.stderr[-2000:]
        )
        state = _state(mariadb, database, chair.pk)
    finally:
        release.set()
        if stack is not None:
            stack.stop()
        mariadb.stop()

    orders = state["orders"]
    assert sorted(str(order["buyer"]) for order in orders) == sorted(str(buyer.pk) for buyer in buyers)
    assert all(order["quantity"] == 2 and order["status"] == "pending_payment" for order in orders)  # whole
    # Every order has its session, or was undone (its stock given back); none lost, none twice.
    live = [order for order in orders if not order["stock_released"]]
    [undone] = [order for order in orders if order["stock_released"]]
    assert str(undone["buyer"]) == str(leaver.pk) and not undone["session"]
    assert all(order["session"] for order in live) and len(live) == len(buyers) - 1
    # Stock equals the live orders' reservations; every cart was turned into its order.
    assert state["stock"] == STOCK - sum(order["quantity"] for order in live)
    assert all(state["carts"].get(str(buyer.pk), 0) == 0 for buyer in buyers)
    assert len(sessions) >= len(live)
