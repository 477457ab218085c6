"""Deterministic demo catalogue content: product texts and generated photos (Pillow)."""

import io
import random

from PIL import Image, ImageDraw

PRODUCT_TYPES = {
    "chairs": ["Chair", "Dining Chair", "Lounge Chair"],
    "armchairs": ["Armchair", "Reading Chair"],
    "sofas": ["Sofa", "Loveseat", "Daybed"],
    "stools": ["Stool", "Bar Stool"],
    "benches": ["Bench", "Hall Bench"],
    "dining-tables": ["Dining Table", "Extendable Table"],
    "coffee-tables": ["Coffee Table", "Low Table"],
    "desks": ["Desk", "Writing Desk"],
    "side-tables": ["Side Table", "Plant Stand"],
    "shelves": ["Shelf", "Bookcase", "Wall Shelf"],
    "cabinets": ["Cabinet", "Display Cabinet"],
    "dressers": ["Dresser", "Chest of Drawers"],
    "sideboards": ["Sideboard", "Credenza"],
    "beds": ["Bed Frame", "Platform Bed"],
    "nightstands": ["Nightstand", "Bedside Table"],
    "wardrobes": ["Wardrobe", "Clothes Rack"],
    "pendant-lamps": ["Pendant Lamp"],
    "floor-lamps": ["Floor Lamp", "Arc Lamp"],
    "table-lamps": ["Table Lamp", "Desk Lamp"],
    "mirrors": ["Mirror", "Round Mirror"],
    "rugs": ["Rug", "Runner"],
    "vases": ["Vase", "Vessel"],
    "wall-art": ["Wall Hanging", "Print"],
    "garden-chairs": ["Garden Chair", "Deck Chair"],
    "garden-tables": ["Garden Table", "Picnic Table"],
}
WOODS = ["Oak", "Walnut", "Ash", "Teak", "Birch"]
# What each kind of piece is made of: a main material (in the name) and maybe a second one.
MATERIALS_BY_CATEGORY = {
    "sofas": (["Linen", "Velvet", "Wool", "Leather"], WOODS),
    "armchairs": (["Linen", "Velvet", "Wool", "Leather", *WOODS], WOODS),
    "pendant-lamps": (["Brass", "Ceramic", "Steel", "Glass", "Rattan"], ["Linen", "Brass"]),
    "floor-lamps": (["Brass", "Steel", "Oak", "Walnut"], ["Linen", "Glass"]),
    "table-lamps": (["Ceramic", "Brass", "Glass", "Oak"], ["Linen"]),
    "mirrors": (["Oak", "Walnut", "Brass", "Rattan"], ["Glass"]),
    "rugs": (["Wool", "Jute", "Linen"], ["Cotton"]),
    "vases": (["Ceramic", "Glass", "Marble"], []),
    "wall-art": (["Linen", "Oak", "Paper"], []),
    "garden-chairs": (["Teak", "Steel", "Rattan"], []),
    "garden-tables": (["Teak", "Steel", "Marble"], []),
    "coffee-tables": ([*WOODS, "Marble"], ["Steel"]),
    "side-tables": ([*WOODS, "Marble"], ["Steel"]),
}
DEFAULT_MATERIALS = ([*WOODS, *WOODS, "Rattan", "Steel"], ["Steel", "Linen", "Brass", "Cane"])
# Typical (width, depth, height) ranges in cm of a category's pieces.
SIZES = {
    "sofas": ((160, 260), (80, 100), (70, 90)),
    "beds": ((100, 200), (200, 220), (30, 110)),
    "wardrobes": ((80, 220), (50, 65), (170, 230)),
    "dining-tables": ((80, 240), (70, 110), (72, 78)),
    "desks": ((90, 180), (50, 80), (72, 78)),
    "shelves": ((40, 200), (20, 40), (30, 220)),
    "rugs": ((60, 300), (90, 400), (1, 3)),
    "vases": ((10, 40), (10, 40), (15, 60)),
}
DEFAULT_SIZE = ((35, 140), (35, 90), (40, 120))
STYLES = ["Nordic", "Mid-Century", "Rustic", "Minimal", "Japandi", "Industrial", "Bauhaus", "Coastal"]
BRANDS = ["Atelier Nord", "Kasa Studio", "Forma", "Holm & Co", "Linea", "Oakline", "Terra Works", "Vesper"]
COLORS = ["natural", "black", "white", "green", "terracotta", "grey", "blue", "ochre"]
CONDITIONS = ["new", "new", "new", "like_new", "like_new", "good", "fair", "poor"]
COMMENTS = [
    "Beautiful craftsmanship, exactly as pictured.",
    "Sturdy and well finished. Shipping took a while.",
    "Lovely piece, the wood grain is gorgeous.",
    "Good value for a handmade item.",
    "Nice, but a little smaller than I expected.",
    "The finish scratched quickly, otherwise fine.",
]


def product_spec(index, category_slugs):
    """The ``index``-th demo product: the same values on every run."""
    rng = random.Random(index)  # noqa: S311 - demo content, not security
    slug = category_slugs[index % len(category_slugs)]
    kind = rng.choice(PRODUCT_TYPES.get(slug, ["Piece"]))
    mains, seconds = MATERIALS_BY_CATEGORY.get(slug, DEFAULT_MATERIALS)
    material, style = rng.choice(mains), rng.choice(STYLES)
    second = rng.choice(seconds) if seconds and rng.random() < 0.4 else None
    materials = [material, *([second] if second and second != material else [])]
    price = rng.randrange(19, 2400) + rng.choice([0, 0.5, 0.99])
    on_sale = rng.random() < 0.2
    width, depth, height = (rng.randrange(low, high + 1) for low, high in SIZES.get(slug, DEFAULT_SIZE))
    made_to_order = rng.random() < 0.15
    with_second = f" with {second.lower()} details" if len(materials) > 1 else ""
    return {
        "category_slug": slug,
        "name": f"{style} {material} {kind}",
        "description": (
            f"A {style.lower()} {kind.lower()} made from {material.lower()}{with_second} in a small "
            f"workshop. Every piece is finished by hand, so the grain and tone vary slightly."
            + (" Made to order: allow four to six weeks." if made_to_order else "")
        ),
        "price": f"{price:.2f}",
        "original_price": f"{price * 1.25:.2f}" if on_sale else None,
        "stock_quantity": rng.choice([0, 1, 2, 3, 5, 8, 12, 20]),
        "condition": rng.choice(CONDITIONS),
        "brand": rng.choice(BRANDS),
        "materials": ", ".join(materials),
        "colors": rng.sample(COLORS, rng.choice([1, 2, 2])),
        "tags": [material.lower(), style.lower(), kind.split()[-1].lower()],
        "dimensions": {"width": width, "depth": depth, "height": height, "unit": "cm"},
        "width_cm": width,
        "depth_cm": depth,
        "height_cm": height,
        "style": style.lower(),
        "made_to_order": made_to_order,
        "weight": f"{rng.randrange(1, 60)}.{rng.randrange(0, 10)}",
        "is_featured": rng.random() < 0.08,
    }


# Demo products sold in variants (issue 15), after the numbered ones. The dining table is the
# acceptance's: Oak-120 (900.00, stock 2) and Walnut-160 (1,200.00, stock 1), the only two of
# the four combinations offered. ``photos``: (variant SKU or None, index into the photo pool).
VARIANT_PRODUCTS = [
    {
        "slug": "demo-variant-dining-table",
        "category_slug": "dining-tables",
        "name": "Nordic Extendable Dining Table",
        "description": "A nordic dining table in solid oak or walnut, two lengths. Oiled by hand.",
        "price": "900.00",
        "materials": "Oak, Walnut",
        "colors": ["natural"],
        "tags": ["oak", "walnut", "table"],
        "style": "nordic",
        "brand": "Atelier Nord",
        "dimensions": {"width": 120, "depth": 80, "height": 75, "unit": "cm"},
        "width_cm": 120,
        "depth_cm": 80,
        "height_cm": 75,
        "weight": "30.0",
        "options": [{"name": "wood", "values": ["oak", "walnut"]}, {"name": "size", "values": ["120", "160"]}],
        "variants": [
            {"sku": "Oak-120", "options": {"wood": "oak", "size": "120"}, "price": "900.00",
             "stock_quantity": 2, "weight": "30.0", "width_cm": "120"},
            {"sku": "Walnut-160", "options": {"wood": "walnut", "size": "160"}, "price": "1200.00",
             "stock_quantity": 1, "weight": "41.0", "width_cm": "160"},
        ],
        "photos": [(None, 3), ("Walnut-160", 11)],
    },
    {
        "slug": "demo-variant-lounge-chair",
        "category_slug": "armchairs",
        "name": "Japandi Linen Lounge Chair",
        "description": "A low japandi lounge chair: an ash frame with a linen seat, in two colours.",
        "price": "640.00",
        "materials": "Linen, Ash",
        "colors": ["natural", "grey"],
        "tags": ["linen", "japandi", "chair"],
        "style": "japandi",
        "brand": "Kasa Studio",
        "dimensions": {"width": 70, "depth": 78, "height": 72, "unit": "cm"},
        "width_cm": 70,
        "depth_cm": 78,
        "height_cm": 72,
        "options": [{"name": "colour", "values": ["natural", "grey"]}],
        "variants": [
            {"sku": "LC-NATURAL", "options": {"colour": "natural"}, "price": "640.00", "stock_quantity": 3},
            {"sku": "LC-GREY", "options": {"colour": "grey"}, "price": "640.00", "stock_quantity": 0},
        ],
        "photos": [(None, 5)],
    },
    {
        "slug": "demo-variant-pendant-lamp",
        "category_slug": "pendant-lamps",
        "name": "Minimal Brass Pendant Lamp",
        "description": "A spun brass pendant with an opal glass diffuser, small or large.",
        "price": "180.00",
        "materials": "Brass, Glass",
        "colors": ["ochre"],
        "tags": ["brass", "minimal", "lamp"],
        "style": "minimal",
        "brand": "Forma",
        "options": [{"name": "size", "values": ["small", "large"]}],
        "variants": [
            {"sku": "PL-S", "options": {"size": "small"}, "price": "180.00", "stock_quantity": 5,
             "width_cm": "30", "depth_cm": "30", "height_cm": "25", "weight": "1.2"},
            {"sku": "PL-L", "options": {"size": "large"}, "price": "260.00", "original_price": "300.00",
             "stock_quantity": 2, "width_cm": "45", "depth_cm": "45", "height_cm": "35", "weight": "2.1"},
        ],
        "photos": [(None, 8)],
    },
]  # fmt: skip


def demo_photo(index, size=(800, 600)):
    """A JPEG: a warm gradient with a simple furniture-like silhouette."""
    rng = random.Random(1000 + index)  # noqa: S311 - demo content, not security
    base = (rng.randrange(120, 230), rng.randrange(90, 200), rng.randrange(60, 170))
    image = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(image)
    width, height = size
    for y in range(0, height, 8):
        shade = int(40 * y / height)
        draw.rectangle([0, y, width, y + 8], fill=tuple(max(0, c - shade) for c in base))
    wood = (rng.randrange(60, 140), rng.randrange(40, 90), rng.randrange(20, 60))
    top = int(height * rng.uniform(0.35, 0.5))
    left, right = int(width * 0.2), int(width * 0.8)
    draw.rectangle([left, top, right, top + 30], fill=wood)
    for x in (left + 20, right - 40):
        draw.rectangle([x, top + 30, x + 20, int(height * 0.85)], fill=wood)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82)
    return out.getvalue()
