"""Shipping profiles: CRUD of one's own, bad input refused with nothing changed, products that cannot
ship to the buyer's country."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import CartItem, Order
from marketplace.shipping.models import ShippingProfile, ShippingZone
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, route_checkout_sessions

pytestmark = pytest.mark.django_db
PROFILES = "/api/marketplace/shipping-profiles/"
ZONE_PT = {"countries": ["PT", "ES"], "base_price": "10.00", "price_per_kg": "1.50"}


def body(**overrides):
    return {"name": "Small parcels", "zones": [ZONE_PT], **overrides}


def snapshot():
    return (
        list(ShippingProfile.objects.order_by("pk").values()),
        list(ShippingZone.objects.order_by("pk").values()),
    )


def test_crud_of_own_profiles_keeps_one_default(auth_client):
    seller = SellerFactory()
    client = auth_client(seller)

    first = client.post(PROFILES, body(), format="json").json()
    second = client.post(
        PROFILES,
        body(name="Furniture", is_default=True, zones=[{"rest_of_world": True, "base_price": "90.00"}]),
        format="json",
    ).json()
    listed = client.get(PROFILES).json()
    patched = client.patch(f"{PROFILES}{first['id']}/", {"processing_days_max": 10}, format="json")
    deleted = client.delete(f"{PROFILES}{second['id']}/")

    assert first["is_default"] is True and second["is_default"] is True
    assert [(p["name"], p["is_default"]) for p in listed] == [("Small parcels", False), ("Furniture", True)]
    assert listed[0]["zones"] == [
        {
            "id": listed[0]["zones"][0]["id"],
            "name": "",
            "countries": ["PT", "ES"],
            "rest_of_world": False,
            "base_price": "10.00",
            "price_per_kg": "1.50",
        }
    ]
    assert (patched.status_code, patched.json()["processing_days_max"]) == (200, 10)
    assert deleted.status_code == 204
    assert list(ShippingProfile.objects.values_list("name", "is_default")) == [("Small parcels", True)]
    assert client.get(PROFILES).status_code == 200
    assert auth_client(UserFactory()).get(PROFILES).status_code == 403


NEGATIVE = ["Ensure this value is greater than or equal to 0.00."]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (body(zones=[{**ZONE_PT, "price_per_kg": "-1.00"}]), {"zones": {"0": {"price_per_kg": NEGATIVE}}}),
        (
            body(zones=[{**ZONE_PT, "countries": ["XX"]}]),
            {
                "zones": {
                    "0": {"countries": {"0": ["XX is not a country code (ISO 3166-1 alpha-2, e.g. PT)."]}}
                }
            },
        ),
        (
            body(zones=[ZONE_PT, {"countries": ["ES", "FR"], "base_price": "12.00"}]),
            {"zones": ["ES is in two zones."]},
        ),
        (
            body(
                zones=[{"rest_of_world": True, "base_price": "1"}, {"rest_of_world": True, "base_price": "2"}]
            ),
            {"zones": ["Only one zone can be the rest of the world."]},
        ),
        (body(zones=[]), {"zones": ["A profile needs at least one zone."]}),
        (
            body(zones=[{"countries": ["PT"], "rest_of_world": True, "base_price": "1"}]),
            {
                "zones": {
                    "0": {
                        "non_field_errors": ["A zone lists countries or is the rest of the world, not both."]
                    }
                }
            },
        ),
        (
            body(processing_days_min=30, processing_days_max=20),
            {"processing_days_max": ["The longest processing time is shorter than the shortest."]},
        ),
        (body(free_shipping_threshold="-5"), {"free_shipping_threshold": NEGATIVE}),
    ],
)
def test_bad_profiles_are_400_in_the_error_shape_and_nothing_is_stored(auth_client, payload, errors):
    seller = SellerFactory()
    auth_client(seller).post(PROFILES, body(name="Existing"), format="json")
    before = snapshot()

    response = auth_client(seller).post(PROFILES, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {**errors, "code": "invalid"}  # the field's own reason, the shape's code
    assert snapshot() == before


def test_a_bad_update_is_400_and_leaves_the_profile_as_it_was(auth_client):
    seller = SellerFactory()
    profile_id = auth_client(seller).post(PROFILES, body(), format="json").json()["id"]
    before = snapshot()

    response = auth_client(seller).patch(
        f"{PROFILES}{profile_id}/",
        {"name": "Renamed", "zones": [{**ZONE_PT, "price_per_kg": "-0.01"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"zones": {"0": {"price_per_kg": NEGATIVE}}, "code": "invalid"}
    assert snapshot() == before


def test_another_sellers_profile_is_404_and_unchanged(auth_client):
    owner, other = SellerFactory(), SellerFactory()
    profile_id = auth_client(owner).post(PROFILES, body(), format="json").json()["id"]
    product = OrderingProductFactory(seller=other)
    before = snapshot()

    responses = [
        auth_client(other).get(f"{PROFILES}{profile_id}/"),
        auth_client(other).patch(f"{PROFILES}{profile_id}/", {"name": "Mine now"}, format="json"),
        auth_client(other).delete(f"{PROFILES}{profile_id}/"),
        auth_client(other).patch(
            f"/api/marketplace/products/{product.slug}/", {"shipping_profile": profile_id}, format="json"
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert [r.json()["code"] for r in responses] == ["not_found"] * 4
    assert responses[-1].json()["detail"] == "You have no shipping profile with this id."
    assert all(r.json()["detail"] == "Shipping profile not found." for r in responses[:3])
    assert snapshot() == before
    assert Product.objects.get(pk=product.pk).shipping_profile_id is None


def test_unshippable_product_is_shown_in_cart_and_refused_at_checkout(auth_client, fake_stripe, settings):
    settings.SHIPPING_FLAT_RATE = Decimal("5.00")
    seller, buyer = SellerFactory(), UserFactory()
    auth_client(seller).post(PROFILES, body(), format="json")  # the seller's default: PT and ES only
    chair = OrderingProductFactory(seller=seller, stock_quantity=3, weight=Decimal("4.00"))
    fill_cart(buyer, (chair, 1))
    route_checkout_sessions(fake_stripe)

    cart_de = auth_client(buyer).get("/api/marketplace/cart/?country=DE").json()
    cart_es = auth_client(buyer).get("/api/marketplace/cart/?country=es").json()
    bad_country = auth_client(buyer).get("/api/marketplace/cart/?country=ZZ")
    refused = auth_client(buyer).post("/api/payments/checkout_session/", {"country": "DE"}, format="json")

    [group] = cart_de["shipping_groups"]
    assert (group["can_ship"], group["unshippable_product_ids"]) == (False, [str(chair.pk)])
    assert (cart_es["country"], cart_es["totals"]["shipping_cost"]) == ("ES", "16.00")  # 10 + 4 kg x 1.50
    assert bad_country.status_code == 400 and "country" in bad_country.json()
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_shippable_to_country"
    assert chair.name in refused.json()["detail"]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 3
    assert CartItem.objects.filter(cart__user=buyer).count() == 1
    assert not fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
