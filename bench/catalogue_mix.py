"""The catalogue benchmark's realistic traffic: variants in the seed, and browsing URL files.

Run as a script inside the benchmark's environment (``python -m bench.catalogue_mix OUT_DIR``
with ``DATABASE_URL`` set): it gives about a fifth of the demo products 2-4 variants when
``seed_demo`` left them without (ORM ``bulk_create``, keeping the variant invariants: the
product's price is its lowest variant price, its stock the sum), then writes ``list.txt`` and
``search.txt`` to ``OUT_DIR``: one request path a line, sessions in a row, drawn as the web client
sends them (contract E22/E23):

- a session is one filter set (the home page's ``page_size=12`` alone, or 0-2 categories, one of
  the client's five sorts, a price band, ``in_stock``, ``material=``/``color=``/``style=``/
  ``max_width=``), then its pages 1, 2, ... for as long as the visitor scrolls and the answer has
  ``has_next`` (counted here against the seeded database, so no path is a page past the end);
- searches are one or two words of the catalogue's vocabulary (materials, kinds, styles, colours,
  brands), some with a typo, some with filters and a sort.

The files are deterministic (fixed seed) for a given catalogue.
"""

import math
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent

LIST_PATH = "/api/marketplace/products/"
SEARCH_PATH = "/api/marketplace/products/search/"
# The client's five sorts (contract C3); "relevance" without q is newest first.
SORTS = ["-created_at", "-created_at", "-created_at", "price", "-price", "-average_rating", "relevance"]
PRICE_BANDS = [(None, 100), (100, 500), (500, 1000), (1000, None), (200, 800), (None, 1500)]
WIDTHS = [60, 80, 100, 120, 160, 200]
VARIANT_SHARE = 5  # every 5th demo product has variants (20 %)
WOOD_VALUES = ["oak", "walnut", "ash", "teak", "birch"]
SIZE_VALUES = ["120", "160", "200"]


# Pages a visitor scrolls through: most stop after the first, some go deep.
def _pages_wanted(rng):
    roll = rng.random()
    if roll < 0.45:
        return 1
    if roll < 0.65:
        return 2
    if roll < 0.85:
        return rng.randint(3, 5)
    return rng.randint(6, 25)


def _typo(rng, word):
    """One edit: a letter doubled, dropped or two swapped (``wallnut``, ``sofaa``, ``chiar``)."""
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("double", "drop", "swap"))
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _vocabulary():
    from marketplace.catalog.products import demo_data

    materials = sorted({m.lower() for pair in demo_data.MATERIALS_BY_CATEGORY.values() for m in pair[0]})
    kinds = sorted({k.lower() for names in demo_data.PRODUCT_TYPES.values() for k in names})
    styles = [s.lower() for s in demo_data.STYLES]
    brands = [b.split()[0].lower() for b in demo_data.BRANDS]
    return materials, kinds, styles, demo_data.COLORS, brands


def _filters(rng, categories, materials, styles, colors, *, searching):
    """A filter set as the client builds it (list values repeated)."""
    params = []
    if rng.random() < (0.35 if searching else 0.6):
        for slug in rng.sample(categories, rng.choice([1, 1, 1, 2])):
            params.append(("category", slug))
    if rng.random() < 0.3:
        low, high = rng.choice(PRICE_BANDS)
        if low is not None:
            params.append(("price_min", low))
        if high is not None:
            params.append(("price_max", high))
    if rng.random() < 0.15:
        params.append(("in_stock", "true"))
    if rng.random() < 0.2:
        for value in rng.sample(materials, rng.choice([1, 1, 2])):
            params.append(("material", value))
    if rng.random() < 0.12:
        params.append(("color", rng.choice(colors)))
    if rng.random() < 0.08:
        params.append(("style", rng.choice(styles)))
    if rng.random() < 0.1:
        params.append(("max_width", rng.choice(WIDTHS)))
    return params


def _query(rng, materials, kinds, styles, colors, brands):
    kind = rng.choice(kinds).split()[-1]
    pick = rng.random()
    if pick < 0.3:
        words = [rng.choice(materials)]
    elif pick < 0.5:
        words = [kind]
    elif pick < 0.75:
        words = [rng.choice(materials), kind]
    elif pick < 0.85:
        words = [rng.choice(styles).split("-")[0], kind]
    elif pick < 0.93:
        words = [rng.choice(colors), kind]
    else:
        words = [rng.choice(brands)]
    if rng.random() < 0.12:
        at = rng.randrange(len(words))
        words[at] = _typo(rng, words[at])
    return " ".join(words)


def _num_pages(params, page_size, path):
    """Pages the server would report for these parameters (the list selector's count)."""
    from django.http import QueryDict

    from marketplace.catalog.search.selectors import product_list
    from marketplace.catalog.search.serializers import ProductFilterSerializer, query_params_dict

    query = QueryDict(urlencode(params), mutable=False)
    filters = ProductFilterSerializer(data=query_params_dict(query))
    filters.is_valid(raise_exception=True)
    count = product_list(filters=filters.validated_data).count()
    return max(1, math.ceil(count / page_size))


def sessions(kind, total_paths, seed=15):
    """Request paths of browsing sessions (``kind`` "list" or "search"), about ``total_paths``."""
    from marketplace.catalog.models import Category

    rng = random.Random(f"{kind}-{seed}")  # noqa: S311 - benchmark traffic, not security
    categories = sorted(Category.objects.filter(parent__isnull=False).values_list("slug", flat=True))
    materials, kinds, styles, colors, brands = _vocabulary()
    path = LIST_PATH if kind == "list" else SEARCH_PATH
    known_pages = {}
    paths = []
    while len(paths) < total_paths:
        searching = kind == "search"
        if not searching and rng.random() < 0.35:
            params, page_size = [], 12  # the home page: page=1..n&page_size=12 only
        else:
            params = []
            if searching:
                params.append(("q", _query(rng, materials, kinds, styles, colors, brands)))
            params += _filters(rng, categories, materials, styles, colors, searching=searching)
            sort = rng.choice(SORTS)
            if searching and rng.random() < 0.4:
                sort = "relevance"
            if sort != "-created_at" or rng.random() < 0.5:
                params.append(("ordering", sort))
            page_size = rng.choice([12, 12, 24])
        key = (tuple(params), page_size)
        if key not in known_pages:
            known_pages[key] = _num_pages(params, page_size, path)
        for page in range(1, min(_pages_wanted(rng), known_pages[key]) + 1):
            paths.append(f"{path}?{urlencode([*params, ('page', page), ('page_size', page_size)])}")
    return paths[:total_paths]


def _variant_rows(product, rng):
    from marketplace.catalog.models import ProductVariant

    woods = rng.sample(WOOD_VALUES, 2)
    sizes = rng.sample(SIZE_VALUES, rng.choice([1, 2]))
    combos = [(wood, size) for wood in woods for size in sizes][: rng.randint(2, 4)]
    rows = []
    for position, (wood, size) in enumerate(combos):
        price = (product.price + Decimal(150 * position)).quantize(Decimal("0.01"))
        options = {"size": size, "wood": wood}
        rows.append(
            ProductVariant(
                product=product,
                sku=f"{product.slug.upper()}-{wood[:3].upper()}-{size}",
                options=options,
                option_key="|".join(f"{name}={value}" for name, value in sorted(options.items())),
                price=price,
                original_price=None,
                stock_quantity=rng.choice([0, 1, 2, 3, 5]),
                width_cm=Decimal(size),
                position=position,
            )
        )
    return rows


def seed_variants():
    """Variants for every ``VARIANT_SHARE``-th demo product that has none (idempotent)."""
    from django.db import transaction

    from marketplace.catalog.models import Product, ProductVariant

    with transaction.atomic():
        candidates = [
            product
            for product in Product.objects.filter(slug__startswith="demo-", has_variants=False).only(
                "id", "slug", "price", "original_price", "stock_quantity", "has_variants"
            )
            if int(product.slug.split("-")[1]) % VARIANT_SHARE == 0
        ]
        variants = []
        for product in candidates:
            rows = _variant_rows(product, random.Random(product.slug))  # noqa: S311 - demo data
            cheapest = min(rows, key=lambda row: (row.price, row.position))
            product.price, product.original_price = cheapest.price, cheapest.original_price
            product.stock_quantity = sum(row.stock_quantity for row in rows)
            product.has_variants = True
            variants += rows
        ProductVariant.objects.bulk_create(variants, batch_size=1000)
        Product.objects.bulk_update(
            candidates, ["price", "original_price", "stock_quantity", "has_variants"], batch_size=1000
        )
    return len(candidates), len(variants)


def main(out_dir, paths_per_mix):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
    django.setup()
    from marketplace.catalog.http.response_cache import catalog_version_bump

    products, variants = seed_variants()
    print(f"Variants: {variants} for {products} more products.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for kind in ("list", "search") if paths_per_mix else ():
        paths = sessions(kind, paths_per_mix)
        (out / f"{kind}.txt").write_text("\n".join(paths) + "\n")
        print(f"{kind} mix: {len(paths)} requests, {len(set(paths))} distinct URLs")
    catalog_version_bump()  # the benchmark starts from a cold response cache


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4000)
