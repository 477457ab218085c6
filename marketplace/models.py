"""Marketplace models. Each sub-domain keeps its models in its own package; Django finds them here."""

from marketplace.catalog.models import Category, Product, ProductImage  # noqa: F401
from marketplace.ordering.models import Cart, CartItem, Order, OrderItem  # noqa: F401
