"""Attribute filters and facets (issue 15), through the real list, search and filters URLs."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory

URL = "/api/marketplace/products/"


def make(name, materials, colors, width, style="nordic", made_to_order=False, **extra):
    return ProductFactory(
        name=name,
        materials=materials,
        colors=colors,
        width_cm=None if width is None else Decimal(width),
        style=style,
        made_to_order=made_to_order,
        **extra,
    )


@pytest.fixture
def catalogue():
    return {
        "white-oak-100": make("White Oak Desk", "Oak", ["white"], 100),
        "white-oak-120": make("White Oak Shelf", "Oak, steel", ["white", "black"], 120, style="minimal"),
        "white-oak-160": make("Wide White Oak Table", "Oak", ["white"], 160),
        "black-oak-90": make("Black Oak Stool", "Oak", ["black"], 90, made_to_order=True),
        "white-walnut-80": make("White Walnut Cabinet", "Walnut", ["white"], 80, style="japandi"),
        "white-ash-nosize": make("White Ash Chair", "Ash", ["white"], None),
    }


def ids(response):
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["results"]}


def expect(catalogue, *names):
    return {str(catalogue[name].id) for name in names}


@pytest.mark.django_db
def test_material_color_and_width_filters_return_only_matching_products(api_client, catalogue):
    assert ids(api_client.get(f"{URL}?material=oak&color=white&max_width=120")) == expect(
        catalogue, "white-oak-100", "white-oak-120"
    )
    assert ids(api_client.get(f"{URL}search/?material=Oak&color=White&max_width=120")) == expect(
        catalogue, "white-oak-100", "white-oak-120"
    )
    # repeated values of one facet: any of them; different facets: all of them
    assert ids(api_client.get(f"{URL}?material=walnut&material=ash&color=white")) == expect(
        catalogue, "white-walnut-80", "white-ash-nosize"
    )
    assert ids(api_client.get(f"{URL}?material=steel")) == expect(catalogue, "white-oak-120")
    assert ids(api_client.get(f"{URL}?min_width=100&max_width=160")) == expect(
        catalogue, "white-oak-100", "white-oak-120", "white-oak-160"
    )
    assert ids(api_client.get(f"{URL}?style=japandi&style=minimal")) == expect(
        catalogue, "white-walnut-80", "white-oak-120"
    )
    assert ids(api_client.get(f"{URL}?made_to_order=true")) == expect(catalogue, "black-oak-90")
    assert len(ids(api_client.get(f"{URL}?made_to_order=false"))) == 5


@pytest.mark.django_db
def test_unknown_facet_values_give_an_empty_page_not_an_error(api_client, catalogue):
    for query in ("material=unobtainium", "color=ultraviolet", "style=baroque", "material=oak&color=pink"):
        response = api_client.get(f"{URL}?{query}")
        assert response.status_code == 200
        assert (response.json()["count"], response.json()["results"]) == (0, [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("min_width=120&max_width=100", "max_width"),
        ("min_depth=50&max_depth=10", "max_depth"),
        ("min_height=2&max_height=1.5", "max_height"),
        ("max_width=-1", "max_width"),
        ("min_height=tall", "min_height"),
        ("made_to_order=perhaps", "made_to_order"),
    ],
)
def test_bad_size_bounds_are_400_in_the_error_shape(api_client, query, field):
    for url in (URL, f"{URL}search/", f"{URL}filters/"):
        response = api_client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid" and field in response.json()


@pytest.mark.django_db
def test_facets_list_values_with_counts_for_the_current_query(api_client, catalogue):
    everything = api_client.get(f"{URL}filters/").json()
    assert {row["value"]: row["count"] for row in everything["materials"]} == {
        "oak": 4,
        "steel": 1,
        "walnut": 1,
        "ash": 1,
    }
    assert {row["value"]: row["count"] for row in everything["colors"]} == {"white": 5, "black": 2}
    assert everything["width_range"] == {"min": "80.0", "max": "160.0"}

    facets = api_client.get(f"{URL}filters/?material=oak&color=white&max_width=120").json()
    # each facet counts its values under the other filters, so other choices stay visible
    assert {row["value"]: row["count"] for row in facets["materials"]} == {
        "oak": 2,
        "steel": 1,
        "walnut": 1,
    }
    assert {row["value"]: row["count"] for row in facets["colors"]} == {"white": 2, "black": 2}
    assert {row["value"]: row["count"] for row in facets["styles"]} == {"nordic": 1, "minimal": 1}
    assert facets["made_to_order"] == [{"value": True, "count": 0}, {"value": False, "count": 2}]
    assert facets["width_range"] == {"min": "100.0", "max": "120.0"}
    assert sum(row["count"] for row in facets["brands"]) == 2
    assert {"categories", "price_range", "conditions"} <= set(facets)

    nothing = api_client.get(f"{URL}filters/?material=unobtainium").json()
    assert nothing["colors"] == [] and nothing["width_range"] == {"min": None, "max": None}


@pytest.mark.django_db
def test_facets_follow_a_product_write(api_client, auth_client, catalogue):
    product = catalogue["white-ash-nosize"]
    assert api_client.get(f"{URL}filters/?material=ash").json()["colors"] == [{"value": "white", "count": 1}]
    owner = auth_client(product.seller)
    assert owner.patch(f"{URL}{product.slug}/", {"colors": ["green"]}, format="json").status_code == 200
    assert api_client.get(f"{URL}filters/?material=ash").json()["colors"] == [{"value": "green", "count": 1}]
    assert ids(api_client.get(f"{URL}?material=ash&color=white")) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 50])
def test_attribute_filter_query_counts_do_not_grow(
    api_client, auth_client, django_assert_max_num_queries, page_size
):
    seller, category = SellerFactory(), CategoryFactory()
    for index in range(50):
        make(
            f"Oak chair {index}",
            "Oak, linen",
            ["white", "green"],
            40 + index,
            seller=seller,
            category=category,
        )
    client = auth_client(UserFactory())
    query = (
        "material=oak&material=ash&color=white&style=nordic&min_width=40&max_width=120&made_to_order=false"
    )
    with django_assert_max_num_queries(5):
        response = client.get(f"{URL}?{query}&category={category.slug}&page_size={page_size}")
    assert response.status_code == 200 and response.json()["count"] == 50
    with django_assert_max_num_queries(5):
        response = client.get(f"{URL}search/?q=chair&{query}&ordering=relevance&page_size={page_size}")
    assert response.status_code == 200
