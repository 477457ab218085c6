"""Unique product slugs that never collide with the fixed sub-paths of contract §4.3."""

from django.utils.crypto import get_random_string
from django.utils.text import slugify

from marketplace.catalog.constants import RESERVED_SLUGS
from marketplace.catalog.models import Product

MAX_BASE_LENGTH = 200


def slug_is_available(slug):
    return slug not in RESERVED_SLUGS and not Product.objects.filter(slug=slug).exists()


def product_slug_generate(name):
    """``oak-chair``, then ``oak-chair-2``, ``oak-chair-3``...; reserved words always get a suffix.

    Deleted products keep their slugs (order history links), so they count as taken.
    """
    base = slugify(name)[:MAX_BASE_LENGTH].strip("-") or "product"
    taken = set(Product.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    for suffix in range(2, 1000):
        candidate = f"{base}-{suffix}"
        if candidate not in taken:
            return candidate
    return f"{base}-{get_random_string(8).lower()}"
