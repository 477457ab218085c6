"""Structured product attributes: materials and colours normalised, dimensions in centimetres.

``Product.materials`` stays the seller's display text ("Oak, steel"); its normalised values
(``["oak", "steel"]``) and the colours are the rows of ``ProductAttribute`` that the filters and
facet counts read. ``product_attributes_sync`` rewrites those rows after a write.
"""

import re
from decimal import Decimal, InvalidOperation

from marketplace.catalog.models import ProductAttribute
from marketplace.catalog.products.variants import variant_options_by_product

MAX_VALUES = 20
VALUE_LENGTH = 40
DIMENSION_FIELDS = ("width_cm", "depth_cm", "height_cm")
# A ``dimensions`` object's unit -> centimetres per unit (missing: cm).
UNIT_TO_CM = {"cm": Decimal(1), "mm": Decimal("0.1"), "m": Decimal(100), "in": Decimal("2.54")}
MATERIAL_OPTIONS = frozenset({"material", "materials", "wood", "fabric", "upholstery", "metal", "stone"})
COLOR_OPTIONS = frozenset({"color", "colour", "colors", "colours"})
_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|&|\band\b)\s*", re.IGNORECASE)


def attribute_value(text):
    """``" Mid Century "`` -> ``"mid-century"``: lowercase, single spaces as hyphens."""
    words = re.findall(r"[^\W_]+", str(text).lower())
    return "-".join(words)[:VALUE_LENGTH]


def material_values(materials):
    """The normalised materials of a display text, in order, without duplicates."""
    if isinstance(materials, list | tuple):
        parts = [str(part) for part in materials]
    else:
        parts = _SEPARATORS.split(materials or "")
    values = (attribute_value(part) for part in parts)
    return list(dict.fromkeys(value for value in values if value))[:MAX_VALUES]


def color_values(colors):
    return list(dict.fromkeys(v for v in (attribute_value(c) for c in colors or ()) if v))[:MAX_VALUES]


def dimension_cm(dimensions, name):
    """``dimensions[name]`` in centimetres (``None`` when absent or not a number)."""
    if not isinstance(dimensions, dict) or dimensions.get(name) in (None, ""):
        return None
    factor = UNIT_TO_CM.get(str(dimensions.get("unit") or "cm").lower())
    try:
        value = Decimal(str(dimensions[name]))
    except InvalidOperation:
        return None
    if factor is None or not value.is_finite():
        return None
    return (value * factor).quantize(Decimal("0.1"))


def dimensions_from_cm_fields(data):
    """The ``*_cm`` fields of a write: given ones win, else they follow a given ``dimensions``."""
    derived = {}
    dimensions = data.get("dimensions")
    for field in DIMENSION_FIELDS:
        if field in data:
            derived[field] = data[field]
        elif dimensions is not None:
            derived[field] = dimension_cm(dimensions, field.removesuffix("_cm"))
    return derived


def _option_values(variant_options, names):
    return [value for options in variant_options for name, value in options.items() if name in names]


def _attribute_values(product, variant_options):
    """``(kind, values)`` of a product: its own materials and colours, then its variants'."""
    materials = [*material_values(product.materials), *_option_values(variant_options, MATERIAL_OPTIONS)]
    colors = [*product.colors, *_option_values(variant_options, COLOR_OPTIONS)]
    return (
        (ProductAttribute.Kind.MATERIAL, material_values(materials)),
        (ProductAttribute.Kind.COLOR, color_values(colors)),
    )


def product_attributes_sync(products):
    """Rewrite the material and colour rows of ``products`` (saved instances)."""
    products = list(products)
    ProductAttribute.objects.filter(product__in=[p.pk for p in products]).delete()
    with_variants = [product.pk for product in products if getattr(product, "has_variants", False)]
    variant_options = variant_options_by_product(with_variants) if with_variants else {}
    rows = [
        ProductAttribute(product_id=product.pk, kind=kind, value=value)
        for product in products
        for kind, values in _attribute_values(product, variant_options.get(product.pk, ()))
        for value in values
    ]
    ProductAttribute.objects.bulk_create(rows, batch_size=1000)
