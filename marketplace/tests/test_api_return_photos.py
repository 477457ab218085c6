"""E43 return photos sent as data URLs are stored without EXIF/XMP/IPTC, upright, under a
server-made name; a bad photo is a 400 that stores nothing (issue 22)."""

import re
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from authentication.tests.factories import SellerFactory, UserFactory
from infrastructure.tests.image_samples import assert_no_metadata_and_upright, gps_jpeg
from marketplace.ordering.models import ReturnRequest
from marketplace.tests.catalog_factories import data_url
from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/marketplace/orders/"


@pytest.fixture
def delivered(auth_client, api_client, fake_stripe):
    buyer, seller = UserFactory(), SellerFactory()
    chair = OrderingProductFactory(seller=seller, price=Decimal("100.00"), stock_quantity=5)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1))
    shipping = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    assert auth_client(seller).patch(f"{ORDERS}{order.pk}/update_shipping/", shipping).status_code == 200
    assert auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/").status_code == 200
    return auth_client(buyer), order


def ask_return(client, order, proof_images):
    body = {
        "items": [{"itemId": order.items.get().pk, "quantity": 1}],
        "reason": "defective",
        "comment": "Cracked leg",
        "proof_images": proof_images,
    }
    return client.post(f"{ORDERS}{order.pk}/return/", body, format="json")


def test_a_gps_photo_is_stored_clean_and_a_link_is_kept(delivered):
    client, order = delivered
    link = "https://photos.example.com/cracked-leg.jpg"

    response = ask_return(client, order, [data_url(gps_jpeg(), "image/jpeg"), link])

    assert response.status_code == 201, response.json()
    [photo, kept] = ReturnRequest.objects.get(order=order).proof_images
    assert re.fullmatch(r"returns/\d{4}/\d{2}/return-[0-9a-f]{32}\.jpg", photo)
    assert kept == link
    with default_storage.open(photo) as handle:
        assert_no_metadata_and_upright(handle.read())


def test_a_photo_that_is_not_an_image_is_400_and_nothing_is_stored(delivered):
    client, order = delivered
    good = data_url(gps_jpeg(), "image/jpeg")

    response = ask_return(client, order, [good, data_url(b"not an image at all", "image/png")])

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not ReturnRequest.objects.exists()
    assert not default_storage.exists("returns")


def test_a_link_longer_than_2000_characters_is_400(delivered):
    client, order = delivered

    response = ask_return(client, order, ["https://example.com/" + "a" * 2000])

    assert response.status_code == 400
    assert "proof_images" in response.json()
    assert not ReturnRequest.objects.exists()
