"""Shipping profiles: how much a seller charges to ship where, and how long they take to make."""
