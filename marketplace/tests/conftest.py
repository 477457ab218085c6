import importlib

import pytest


@pytest.fixture
def eu_vat_rates():
    """The EU VAT table as its data migration seeds it (a transactional test's flush empties the
    table of a reused test database, so tests that price EU destinations seed it again)."""
    seed = importlib.import_module("marketplace.migrations.0013_seed_eu_vat_rates")
    from django.apps import apps

    seed.seed(apps, None)
    return seed.EU_STANDARD_VAT
