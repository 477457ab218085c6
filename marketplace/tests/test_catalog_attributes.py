"""Structured attributes (issue 15): accepted by E48/E49, validated, shown on the product page."""

import pytest

from authentication.tests.factories import SellerFactory
from marketplace.catalog.models import ProductAttribute
from marketplace.tests.catalog_factories import CategoryFactory

URL = "/api/marketplace/products/"


def attribute_rows(slug):
    return sorted(
        ProductAttribute.objects.filter(product__slug=slug).values_list("kind", "value"),
    )


@pytest.mark.django_db
def test_create_and_update_with_attributes_shows_them_on_the_product_page(auth_client, api_client):
    client = auth_client(SellerFactory())
    body = {
        "name": "Japandi Oak Bench",
        "price": "340.00",
        "stock_quantity": 2,
        "category": CategoryFactory().id,
        "materials": "Oak, Paper cord",
        "colors": ["Natural", "black"],
        "style": "Japandi",
        "width_cm": "120.0",
        "depth_cm": 38,
        "height_cm": "45.5",
        "made_to_order": True,
        "weight": "9.50",
    }
    created = client.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]

    page = api_client.get(f"{URL}{slug}/").json()
    assert page["materials"] == "Oak, Paper cord"  # the display text stays as the seller wrote it
    assert page["material_list"] == ["oak", "paper-cord"]
    assert (page["style"], page["made_to_order"], page["weight"]) == ("japandi", True, "9.50")
    assert (page["width_cm"], page["depth_cm"], page["height_cm"]) == ("120.0", "38.0", "45.5")
    assert attribute_rows(slug) == [
        ("color", "black"),
        ("color", "natural"),
        ("material", "oak"),
        ("material", "paper-cord"),
    ]

    patched = client.patch(
        f"{URL}{slug}/",
        {"materials": ["Walnut"], "dimensions": {"width": 1.4, "height": 50, "unit": "m"}},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    page = patched.json()
    assert page["material_list"] == ["walnut"]
    assert (page["width_cm"], page["depth_cm"], page["height_cm"]) == ("140.0", None, "5000.0")
    assert attribute_rows(slug) == [("color", "black"), ("color", "natural"), ("material", "walnut")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {"width_cm": -1},
        {"height_cm": "-0.5"},
        {"dimensions": {"width": -40, "unit": "cm"}},
        {"dimensions": {"depth": "-3"}},
        {"width_cm": "wide"},
    ],
)
def test_negative_or_non_numeric_dimensions_are_400(auth_client, extra):
    client = auth_client(SellerFactory())
    body = {"name": "Bad Table", "price": "10.00", **extra}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(extra) <= set(response.json())
