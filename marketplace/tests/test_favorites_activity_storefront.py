import threading
from datetime import date

import pytest
from django.db import connection, connections

from authentication import gdpr
from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.activity.models import ProductDailyActivity
from marketplace.activity.selectors import activity_by_product_for_seller, activity_totals_for_seller
from marketplace.activity.tasks import activity_flush_task
from marketplace.catalog.models import Product
from marketplace.favorites.models import Favorite
from marketplace.favorites.services import favorite_toggle
from marketplace.tests.catalog_factories import ProductFactory, received_order_item

URL = "/api/marketplace/products/"


@pytest.mark.django_db
def test_favorite_toggle_and_list(auth_client):
    product, other = ProductFactory(), ProductFactory()
    client = auth_client(UserFactory())

    added = client.post(f"{URL}{product.slug}/favorite/")
    client.post(f"{URL}{other.slug}/favorite/")
    listed = client.get(f"{URL}favorites/").json()
    removed = client.post(f"{URL}{other.slug}/favorite/")

    assert added.json() == {"is_favorited": True, "favorite_count": 1}
    assert [p["id"] for p in listed["results"]] == [str(other.id), str(product.id)]
    assert removed.json() == {"is_favorited": False, "favorite_count": 0}
    assert client.get(f"{URL}{product.slug}/").json()["is_favorited"] is True
    assert client.get(f"{URL}favorites/").json()["count"] == 1


@pytest.mark.django_db
def test_favorites_need_login(api_client):
    product = ProductFactory()
    assert api_client.post(f"{URL}{product.slug}/favorite/").status_code == 401
    assert api_client.get(f"{URL}favorites/").status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks need MariaDB/MySQL (SQLite locks tables)")
def test_favorite_counter_is_exact_under_concurrent_toggles():
    product = ProductFactory()
    users = [UserFactory.build(email=f"fan{i}@example.com", username=f"fan{i}") for i in range(12)]
    for user in users:
        user.save()
    barrier = threading.Barrier(len(users))
    errors = []

    def toggle(user, times):
        try:
            barrier.wait(timeout=10)
            for _ in range(times):
                favorite_toggle(user=user, product=product)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # Half the users toggle three times (ends favorited), half twice (ends not favorited).
    threads = [threading.Thread(target=toggle, args=(u, 3 if i % 2 else 2)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    product.refresh_from_db()
    assert product.favorite_count == Favorite.objects.filter(product=product).count() == 6


@pytest.mark.django_db
def test_detail_counts_a_view_once_per_viewer_per_hour_then_flushes(api_client, auth_client):
    product = ProductFactory()
    viewer = auth_client(UserFactory())
    for _ in range(3):
        assert viewer.get(f"{URL}{product.slug}/").status_code == 200
    api_client.get(f"{URL}{product.slug}/", REMOTE_ADDR="10.0.0.1")
    api_client.get(
        f"{URL}{product.slug}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.7.7.7"
    )  # not trusted
    api_client.get(f"{URL}{product.slug}/", REMOTE_ADDR="10.0.0.2")
    product.refresh_from_db()
    assert product.view_count == 0  # buffered: no write until the flush task runs
    activity_flush_task.delay()
    product.refresh_from_db()
    assert product.view_count == 3
    assert ProductDailyActivity.objects.get(product=product, date=date.today()).views == 3
    assert activity_flush_task.delay().get() == 0


@pytest.mark.django_db
def test_track_endpoint_records_clicks_and_add_to_cart(api_client):
    product = ProductFactory()
    for action in ("click", "click", "add_to_cart", "view", "view"):
        response = api_client.post(
            "/api/activity/track/", {"product_id": product.id, "action": action}, format="json"
        )
        assert response.status_code == 202
    assert response.json() == {"recorded": False}  # a repeated view within the hour
    activity_flush_task.delay()

    product.refresh_from_db()
    assert (product.click_count, product.view_count) == (2, 1)
    assert activity_totals_for_seller(seller=product.seller) == {
        "views": 1,
        "clicks": 2,
        "favorites": 0,
        "add_to_cart": 1,
    }
    assert activity_by_product_for_seller(seller=product.seller)[product.id]["clicks"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload", [{"product_id": 999999, "action": "view"}, {"product_id": 1, "action": "purchase"}, {}]
)
def test_track_rejects_bad_events(api_client, payload):
    response = api_client.post("/api/activity/track/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_track_is_throttled(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "activity": "2/min"},
    }
    product = ProductFactory()
    statuses = [
        api_client.post(
            "/api/activity/track/", {"product_id": product.id, "action": "click"}, format="json"
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [202, 202, 429]


@pytest.mark.django_db
def test_storefront_shows_public_data_only(api_client):
    seller = SellerFactory(email="secret-seller@example.com")
    seller.profile.shop_name = "Nordic Wood"
    seller.profile.bio = "Handmade in Oslo."
    seller.profile.phone_number = "+4712345678"
    seller.profile.save()
    product = ProductFactory(seller=seller)
    ProductFactory(seller=seller, is_active=False)

    response = api_client.get(f"/api/marketplace/sellers/{seller.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert (data["shop_name"], data["bio"], data["product_count"]) == ("Nordic Wood", "Handmade in Oslo.", 1)
    assert [p["id"] for p in data["products"]["results"]] == [str(product.id)]
    text = response.content.decode()
    assert "secret-seller@example.com" not in text and "+4712345678" not in text and "email" not in text

    seller.profile.is_public = False
    seller.profile.save()
    assert api_client.get(f"/api/marketplace/sellers/{seller.pk}/").json()["bio"] == ""


@pytest.mark.django_db
def test_storefront_of_a_customer_is_404(api_client):
    assert api_client.get(f"/api/marketplace/sellers/{UserFactory().pk}/").status_code == 404


@pytest.mark.django_db
def test_gdpr_export_and_erase(auth_client):
    seller = SellerFactory()
    product = ProductFactory(seller=seller)
    buyer = UserFactory()
    received_order_item(buyer=buyer, product=product)
    auth_client(buyer).post(
        f"{URL}{product.slug}/reviews/", {"rating": 4, "comment": "Really nice table."}, format="json"
    )
    favorite_toggle(user=buyer, product=product)

    sections = gdpr.collect_sections(buyer)
    assert [r["rating"] for r in sections["reviews"]] == [4]
    assert [f["product"] for f in sections["favorites"]] == [product.slug]
    assert [p["slug"] for p in gdpr.collect_sections(seller)["products"]] == [product.slug]

    gdpr.run_erasers(buyer)
    gdpr.run_erasers(seller)
    product.refresh_from_db()
    assert (product.is_active, product.favorite_count) == (False, 0)
    assert not Favorite.objects.exists()
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
def test_without_redis_the_process_buffer_flushes_when_full(settings, monkeypatch):
    from marketplace.activity import buffer
    from marketplace.activity.services import activity_record

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "t-local"}
    }
    monkeypatch.setattr(buffer, "LOCAL_MAX_EVENTS", 3)
    product = ProductFactory()
    for viewer in ("g:1", "g:2"):
        activity_record(product_id=product.pk, action="click", viewer=viewer)
    product.refresh_from_db()
    assert product.click_count == 0

    activity_record(product_id=product.pk, action="click", viewer="g:3")

    product.refresh_from_db()
    assert product.click_count == 3
    assert buffer.drain() == {}


def test_flush_task_runs_on_a_real_worker(celery_worker, settings):
    """Views buffered in Redis reach the database through the beat task on a real worker."""
    import time

    from marketplace.activity.services import activity_record

    # The buffer lives in the cache: share the worker's cache namespace for this test.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": celery_worker.cache_prefix}}
    product = ProductFactory()
    for viewer in ("g:a", "g:b", "g:b"):
        activity_record(product_id=product.pk, action="view", viewer=viewer)

    activity_flush_task.delay()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        product.refresh_from_db()
        if product.view_count:
            break
        time.sleep(0.2)
    assert product.view_count == 2
    assert ProductDailyActivity.objects.get(product=product).views == 2


def test_page_views_reach_the_worker_without_anyone_draining_this_process(
    celery_worker, settings, api_client
):
    """The product page queues its view checks; this process's sender thread pushes them to Redis
    within a second, where the real worker's flush finds them."""
    import time

    from django.core.cache import cache

    from marketplace.activity import buffer

    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": celery_worker.cache_prefix}}
    product = ProductFactory()
    for address in ("10.1.0.1", "10.1.0.2", "10.1.0.2"):
        assert api_client.get(f"{URL}{product.slug}/", REMOTE_ADDR=address).status_code == 200

    client = cache._cache.get_client(write=True)
    pending = cache.make_key(buffer.PENDING_KEY)
    field = f"{product.pk}:view:{date.today().isoformat()}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and client.hget(pending, field) is None:
        time.sleep(0.1)
    assert int(client.hget(pending, field)) == 2  # sent by the thread, the repeat not counted

    activity_flush_task.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Product.objects.get(pk=product.pk).view_count:
        time.sleep(0.2)
    assert Product.objects.get(pk=product.pk).view_count == 2


@pytest.mark.django_db
def test_queued_view_checks_are_exact_and_survive_a_redis_failure(monkeypatch):
    import os

    from django.core.cache import cache

    from marketplace.activity import buffer

    marks = buffer._LaterMarks()
    marks._pid = os.getpid()  # no sender thread: this test sends by hand
    monkeypatch.setattr(buffer, "_later", marks)
    field = f"{ProductFactory().pk}:view:2026-01-01"
    buffer.add_once("activity:seen:t:a", field, 60)  # counted at once
    for viewer in ("a", "b", "b", "c"):
        buffer.add_once_later(f"activity:seen:t:{viewer}", field, 60)
    assert cache.get("activity:seen:t:b") is None  # queued, not sent

    client = cache._cache.get_client(write=True)
    real_eval, calls = client.eval, []

    def eval_failing_once(self, *args):
        calls.append(args)
        if len(calls) == 1:
            raise ConnectionError("redis went away")
        return real_eval(*args)

    monkeypatch.setattr(type(client), "eval", eval_failing_once)
    assert marks.send() == 0  # failed: the checks are kept
    assert marks.send() == 2  # "a" was counted before; the second "b" repeats the first
    assert marks.send() == 0
    assert buffer.drain() == {field: 3}
    assert len(calls) == 2
