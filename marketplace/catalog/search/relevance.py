"""The judged query set: how well search ranks the seeded demo catalogue (``seed_demo``).

Each judged query names, by the products' attributes, the products that are right for it
(``relevant``: with five or more of them, the top 5 must all be among them; with fewer, they
must all be in the top 5) and those that must not be in the top 5 (``wrong``). Reported by
``manage.py search_relevance`` as precision@5 (right products in the top 5, out of
min(5, number of right products)) and recall (right products found at all, out of all right
products), and held to at least ``MIN_PRECISION_AT_5`` by the tests.
"""

from collections.abc import Callable
from dataclasses import dataclass

from marketplace.catalog.products.attributes import material_values
from marketplace.catalog.search.text import stem, words

MIN_PRECISION_AT_5 = 0.8
TOP = 5


@dataclass(frozen=True)
class Facts:
    """What a judge knows about a product."""

    name: str
    kind: str  # the stem of the last word of the name: "table", "lamp", "daybed"
    materials: frozenset
    colors: frozenset
    category: str  # slug
    style: str
    brand: str


Judge = Callable[[Facts], bool]


def facts_of(product):
    name_words = words(product.name)
    return Facts(
        name=" ".join(name_words),
        kind=stem(name_words[-1]) if name_words else "",
        materials=frozenset(material_values(product.materials)),
        colors=frozenset(c.lower() for c in product.colors or ()),
        category=product.category.slug if product.category_id else "",
        style=product.style,
        brand=product.brand,
    )


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    relevant: Judge
    wrong: Judge


def made_of(material, kind=None):
    return lambda f: material in f.materials and (kind is None or f.kind == kind)


def not_made_of(material):
    return lambda f: material not in f.materials


def of_kind(*kinds):
    return lambda f: f.kind in kinds


def not_of_kind(*kinds):
    return lambda f: f.kind not in kinds


def in_category(*slugs):
    return lambda f: f.category in slugs


def not_in_category(*slugs):
    return lambda f: f.category not in slugs


def both(first, second):
    return lambda f: first(f) and second(f)


def either(first, second):
    return lambda f: first(f) or second(f)


JUDGED_QUERIES = [
    JudgedQuery("oak table", made_of("oak", "table"), either(not_made_of("oak"), not_of_kind("table"))),
    JudgedQuery("oak", made_of("oak"), not_made_of("oak")),
    JudgedQuery("walnut", made_of("walnut"), not_made_of("walnut")),
    JudgedQuery("walnuts", made_of("walnut"), not_made_of("walnut")),
    JudgedQuery("wallnut", made_of("walnut"), not_made_of("walnut")),
    JudgedQuery("walnut table", made_of("walnut", "table"), not_made_of("walnut")),
    JudgedQuery("teak", made_of("teak"), not_made_of("teak")),
    JudgedQuery("tek", made_of("teak"), not_made_of("teak")),
    JudgedQuery("birch", made_of("birch"), not_made_of("birch")),
    JudgedQuery("ash chair", made_of("ash", "chair"), not_made_of("ash")),
    JudgedQuery("sofa", in_category("sofas"), not_in_category("sofas")),
    JudgedQuery("sofaa", in_category("sofas"), not_in_category("sofas")),
    JudgedQuery("sofas", in_category("sofas"), not_in_category("sofas")),
    JudgedQuery("day bed", of_kind("daybed"), not_of_kind("daybed")),
    JudgedQuery("daybed", of_kind("daybed"), not_of_kind("daybed")),
    JudgedQuery("chairs", of_kind("chair"), not_of_kind("chair", "armchair")),
    JudgedQuery("chiar", of_kind("chair"), not_of_kind("chair", "armchair")),
    JudgedQuery("tabel", of_kind("table"), not_of_kind("table")),
    JudgedQuery("lamps", of_kind("lamp"), not_of_kind("lamp")),
    JudgedQuery("brass lamp", made_of("brass", "lamp"), not_of_kind("lamp")),
    JudgedQuery("ceramic vase", both(made_of("ceramic"), in_category("vases")), not_in_category("vases")),
    JudgedQuery("wool rug", made_of("wool", "rug"), not_in_category("rugs")),
    JudgedQuery("rugs", in_category("rugs"), not_in_category("rugs")),
    JudgedQuery("velvet sofa", both(made_of("velvet"), in_category("sofas")), not_in_category("sofas")),
    JudgedQuery(
        "teak garden chair",
        both(made_of("teak", "chair"), in_category("garden-chairs")),
        either(not_made_of("teak"), not_of_kind("chair")),
    ),
    JudgedQuery("bookcase", of_kind("bookcase"), not_in_category("shelves")),
    JudgedQuery("book case", of_kind("bookcase"), not_in_category("shelves")),
    JudgedQuery("shelves", in_category("shelves"), not_in_category("shelves")),
    JudgedQuery("wardrobes", in_category("wardrobes"), not_in_category("wardrobes")),
    JudgedQuery("nightstand", in_category("nightstands"), not_in_category("nightstands")),
    JudgedQuery("mirror", of_kind("mirror"), not_of_kind("mirror")),
    JudgedQuery("floor lamp", in_category("floor-lamps"), not_of_kind("lamp")),
    JudgedQuery("linen", made_of("linen"), not_made_of("linen")),
    JudgedQuery("marble", made_of("marble"), not_made_of("marble")),
    JudgedQuery("rattan", made_of("rattan"), not_made_of("rattan")),
    JudgedQuery("japandi", lambda f: f.style == "japandi", lambda f: f.style != "japandi"),
    JudgedQuery("nordic oak", both(made_of("oak"), lambda f: f.style == "nordic"), not_made_of("oak")),
    JudgedQuery("dressers", in_category("dressers"), not_in_category("dressers")),
]


@dataclass
class QueryScore:
    query: str
    precision: float
    recall: float
    relevant: int
    wrong_in_top: list


def score_query(judged, ranked, facts):
    """``ranked``: the product ids the search returned, best first; ``facts``: id -> Facts."""
    relevant = {pk for pk, fact in facts.items() if judged.relevant(fact)}
    top = ranked[:TOP]
    if not relevant:
        return QueryScore(judged.query, 0.0, 0.0, 0, [])
    precision = len([pk for pk in top if pk in relevant]) / min(TOP, len(relevant))
    recall = len(relevant & set(ranked)) / len(relevant)
    wrong = [pk for pk in top if judged.wrong(facts[pk])]
    return QueryScore(judged.query, precision, recall, len(relevant), wrong)


def evaluate(search):
    """Score every judged query; ``search(query)`` returns the ranked product ids."""
    from marketplace.catalog.models import Product

    products = Product.objects.filter(is_active=True, deleted_at__isnull=True).select_related("category")
    facts = {product.pk: facts_of(product) for product in products}
    return [score_query(judged, search(judged.query), facts) for judged in JUDGED_QUERIES]
