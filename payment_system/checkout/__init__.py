"""Checkout (E37, E39): the order from the server cart, then a Stripe Embedded Checkout session."""
