"""Writes of carts and orders: ``cart``, ``checkout``, ``orders``, ``returns`` and ``stock``."""
