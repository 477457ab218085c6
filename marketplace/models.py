"""Marketplace models. Sub-domains keep their models in their own modules; Django finds them here."""

from marketplace.catalog.models import Category, Product, ProductImage  # noqa: F401
