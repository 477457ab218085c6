"""How the cart and checkout read a product's variants (the catalogue services write them).

A cart line, an order item and a stock change name a variant when the product has variants; a
product without variants behaves as it always has (no variant, the product's own price and stock).
"""

from marketplace.catalog.models import Product, ProductVariant
from marketplace.catalog.products.variants import option_key
from marketplace.ordering.exceptions import VariantNotFound, VariantRequired


def variant_label(variant: ProductVariant | None) -> str:
    """The option values as a buyer reads them ("wood: oak, size: 120"); "" without a variant."""
    if variant is None:
        return ""
    return ", ".join(f"{name}: {value}" for name, value in (variant.options or {}).items())


def variant_for_cart(*, product: Product, variant_id=None, options=None) -> ProductVariant | None:
    """The active variant of ``product`` a cart request names by ``variant_id`` or ``options``
    (both: they must agree). A product with variants and neither given: its only active variant,
    else ``VariantRequired``; a product without variants takes neither (``VariantNotFound``)."""
    named = variant_id is not None or options is not None
    if not product.has_variants:
        if named:
            raise VariantNotFound(f"{product.name} has no variants.")
        return None
    active = ProductVariant.objects.filter(product=product, is_active=True)
    if not named:
        only = list(active[:2])
        if len(only) == 1:
            return only[0]
        raise VariantRequired(f"Choose a variant of {product.name} (variant_id or options).")
    if variant_id is not None:
        active = active.filter(pk=variant_id)
    if options is not None:
        active = active.filter(option_key=option_key(options))
    variant = active.first()
    if variant is None:
        raise VariantNotFound(f"{product.name} has no such variant.")
    return variant
