"""The facets endpoint answers for the current query (issue 15): every facet, categories
included, counts the products that ``q`` and the filters find, through the real URLs; values
that exist nowhere, and bad input, give empty facets or a 400 in the error shape, never a 500.
``transaction=True`` where ``q`` is searched: InnoDB indexes FULLTEXT rows at commit. Runs on
SQLite's FTS5 too (``DATABASE_URL=sqlite:////tmp/designia-search.db``)."""

from decimal import Decimal

import pytest

from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory

URL = "/api/marketplace/products/"


@pytest.fixture
def shop():
    furniture = CategoryFactory(name="Furniture", slug="furniture")
    tables = CategoryFactory(name="Tables", slug="tables", parent=furniture)
    chairs = CategoryFactory(name="Chairs", slug="chairs", parent=furniture)
    lamps = CategoryFactory(name="Lamps", slug="lamps")

    def make(name, category, materials, colors, width, price, weight, **extra):
        return ProductFactory(
            name=name,
            category=category,
            materials=materials,
            colors=colors,
            width_cm=Decimal(width),
            weight=Decimal(weight),
            price=Decimal(price),
            description="",
            tags=[],
            brand=extra.pop("brand", "Nord"),
            **extra,
        )

    return {
        "oak-table": make("Oak Dining Table", tables, "Oak", ["white"], 180, "900.00", "40", style="nordic"),
        "oak-side-table": make(
            "Oak Side Table", tables, "Oak", ["black"], 60, "240.00", "8.5", style="minimal"
        ),
        "walnut-table": make(
            "Walnut Table", tables, "Walnut", ["brown"], 160, "1200.00", "35", brand="Arbor"
        ),
        "oak-chair": make(
            "Oak Chair", chairs, "Oak, linen", ["white"], 45, "180.00", "6", made_to_order=True
        ),
        "brass-lamp": make(
            "Brass Table Lamp", lamps, "Brass", ["gold"], 20, "95.00", "2.25", stock_quantity=0
        ),
    }


def facets(api_client, query=""):
    response = api_client.get(f"{URL}filters/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def counts(rows, key="value"):
    return {row[key]: row["count"] for row in rows}


def category_counts(body):
    return {row["slug"]: row["count"] for row in body["categories"]}


@pytest.mark.django_db(transaction=True)
def test_every_facet_counts_what_q_and_the_filters_find(api_client, shop):
    body = facets(api_client, "q=oak")
    # a parent counts its children's products; a category the query misses is listed with 0
    assert category_counts(body) == {"furniture": 3, "tables": 2, "chairs": 1, "lamps": 0}
    assert counts(body["materials"]) == {"oak": 3, "linen": 1}
    assert counts(body["colors"]) == {"white": 2, "black": 1}
    assert counts(body["styles"]) == {"nordic": 1, "minimal": 1}
    assert body["made_to_order"] == [{"value": True, "count": 1}, {"value": False, "count": 2}]
    assert body["price_range"] == {"min": "180.00", "max": "900.00"}
    assert body["width_range"] == {"min": "45.0", "max": "180.0"}
    assert body["weight_range"] == {"min": "6.00", "max": "40.00"}
    assert counts(body["brands"], "name") == {"Nord": 3}
    # E25's count (in-stock products of the whole catalogue) is still there, unchanged
    assert {row["slug"]: row["product_count"] for row in body["categories"]}["lamps"] == 0
    assert {row["slug"]: row["product_count"] for row in body["categories"]}["tables"] == 3

    # q and filters together; the category facet counts under every filter but its own
    body = facets(api_client, "q=table&category=tables&color=white&color=black")
    assert category_counts(body) == {"furniture": 2, "tables": 2, "chairs": 0, "lamps": 0}
    assert counts(body["colors"]) == {"white": 1, "black": 1, "brown": 1}  # without the colour filter
    assert counts(body["materials"]) == {"oak": 2}
    assert body["price_range"] == {"min": "240.00", "max": "900.00"}

    # the count a category shows is what adding it to the query lists
    for slug, count in category_counts(facets(api_client, "q=table&max_width=170")).items():
        listed = api_client.get(f"{URL}search/", {"q": "table", "max_width": "170", "category": slug})
        assert listed.json()["count"] == count, slug


@pytest.mark.django_db
def test_the_whole_catalogue_facets_count_categories_with_their_children(api_client, shop):
    body = facets(api_client)
    assert category_counts(body) == {"furniture": 4, "tables": 3, "chairs": 1, "lamps": 1}
    assert counts(body["materials"]) == {"oak": 3, "walnut": 1, "linen": 1, "brass": 1}
    body = facets(api_client, "in_stock=true&material=oak")
    assert category_counts(body) == {"furniture": 3, "tables": 2, "chairs": 1, "lamps": 0}
    # weight (kg) filters like the sizes
    light = api_client.get(f"{URL}?min_weight=2.25&max_weight=8.5")
    expected = {str(shop[name].id) for name in ("oak-side-table", "oak-chair", "brass-lamp")}
    assert {item["id"] for item in light.json()["results"]} == expected
    body = facets(api_client, "min_weight=2.25&max_weight=8.5")
    assert body["weight_range"] == {"min": "2.25", "max": "8.50"}
    assert category_counts(body) == {"furniture": 2, "tables": 1, "chairs": 1, "lamps": 1}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "query, own",
    [
        ("material=unobtainium", "materials"),
        ("color=ultraviolet", "colors"),
        ("style=baroque", "styles"),
        ("brand=Nobody", None),
        ("category=no-such-category", None),
        ("q=qqzzxxw", None),
        ("q=!!!", None),
        ("q=%3F%2A%2B-~%3C%3E%28%29", None),
        ("q=oak&category=lamps", None),
    ],
)
def test_a_facet_value_that_exists_nowhere_gives_empty_facets_and_pages(api_client, shop, query, own):
    body = facets(api_client, query)
    for facet in {"materials", "colors", "styles", "brands"} - {own}:
        assert body[facet] == [], facet
    if own:  # a facet counts under the other filters: its other values stay on offer
        assert body[own] == facets(api_client)[own] != []
    assert body["price_range"] == body["width_range"] == body["weight_range"] == {"min": None, "max": None}
    assert body["made_to_order"] == [{"value": True, "count": 0}, {"value": False, "count": 0}]
    assert [c["count"] for c in body["conditions"]] == [0] * 5
    for url in (URL, f"{URL}search/"):
        page = api_client.get(f"{url}?{query}")
        assert page.status_code == 200
        assert (page.json()["count"], page.json()["results"]) == (0, [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "walnut " * 1500}, "q"),  # a 10 KB search
        ({"min_width": "120", "max_width": "100"}, "max_width"),
        ({"min_depth": "-5"}, "min_depth"),
        ({"max_height": "-0.5"}, "max_height"),
        ({"min_weight": "-1"}, "min_weight"),
        ({"min_weight": "30", "max_weight": "3"}, "max_weight"),
        ({"min_width": "1e400"}, "min_width"),
        ({"price_min": "-1"}, "price_min"),
        ({"condition": "broken"}, "condition"),
        ({"category": "not a slug!"}, "category"),
        ({"material": ["oak"] * 21}, "material"),
        ({"material": "m" * 61}, "material"),
        ({"seller": "nobody"}, "seller"),
        ({"page": "0"}, "page"),
        ({"ordering": "sideways"}, "ordering"),
    ],
)
def test_bad_input_is_400_in_the_error_shape_on_every_catalogue_url(api_client, params, field):
    ProductFactory()
    for url in (URL, f"{URL}search/", f"{URL}filters/"):
        response = api_client.get(url, params)
        assert response.status_code == 400, (url, response.content[:200])
        body = response.json()
        assert body["code"] == "invalid" and isinstance(body[field], list | dict), (url, body)
