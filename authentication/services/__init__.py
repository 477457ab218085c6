"""Writes of the authentication app, one module per sub-domain."""
