"""Redis down for the cache: the catalogue reads from the database behind a short circuit breaker,
throttles decide without Redis (open for reads, closed for login and codes), and oversized bodies
answer 413 in the error shape."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from prometheus_client import REGISTRY

from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory
from designiaBackend.cache import cache_available, cache_circuit_reset
from marketplace.tests.ordering_factories import OrderingProductFactory

pytestmark = pytest.mark.django_db

NOBODY_LISTENS = "redis://127.0.0.1:1/0"
PRODUCTS = "/api/marketplace/products/"
LOGIN = "/api/auth/login/"


def cache_failures(operation):
    return REGISTRY.get_sample_value("designia_cache_failures_total", {"operation": operation}) or 0.0


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "designiaBackend.cache.ResilientRedisCache",
            "LOCATION": NOBODY_LISTENS,
            "KEY_PREFIX": "down",
        },
    }
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 60
    cache_circuit_reset()
    yield
    cache_circuit_reset()


def test_the_catalogue_answers_from_the_database_while_the_cache_is_down(cache_down, api_client):
    chair = OrderingProductFactory(price=Decimal("120.00"), stock_quantity=5, name="Oak Chair")
    failed, skipped = cache_failures("get_many"), cache_failures("skipped")

    first = api_client.get(PRODUCTS)
    second = api_client.get(PRODUCTS)

    assert first.status_code == 200 and second.status_code == 200
    assert [item["name"] for item in first.json()["results"]] == ["Oak Chair"]
    assert first.json() == second.json()
    assert str(chair.pk) in {str(item["id"]) for item in second.json()["results"]}
    # One failure opened the circuit; the second request did not try Redis again.
    assert cache_failures("get_many") - failed == 1
    assert cache_failures("skipped") - skipped >= 1
    assert not cache_available()


def test_the_circuit_closes_again_and_the_cache_works(settings):
    cache_circuit_reset()
    cache.set("resilience:probe", "ok", 10)
    assert cache.get("resilience:probe") == "ok"
    assert cache_available()


def test_login_fails_closed_without_the_cache(cache_down, api_client):
    user = UserFactory()

    response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "throttle_unavailable"
    assert response["Retry-After"] == "5"


def test_login_counts_normally_with_the_cache_up(api_client):
    cache_circuit_reset()
    user = UserFactory()

    response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200


@pytest.fixture
def small_bodies(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024


def test_an_oversized_login_body_answers_413_in_the_error_shape(small_bodies, api_client):
    response = api_client.post(LOGIN, {"email": "a@example.com", "password": "x" * 4096}, format="json")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large.",
        "error": "The request body is too large.",
        "code": "request_too_large",
    }


def test_an_oversized_cart_add_answers_413_and_adds_nothing(small_bodies, auth_client):
    from marketplace.ordering.models import CartItem

    buyer = UserFactory()
    product = OrderingProductFactory(stock_quantity=5)

    response = auth_client(buyer).post(
        "/api/marketplace/cart/add_item/",
        {"product_id": product.pk, "quantity": 1, "note": "x" * 4096},
        format="json",
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not CartItem.objects.filter(cart__user=buyer).exists()
