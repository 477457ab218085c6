import importlib
import io

import pytest
from django.core.management import call_command

from marketplace.catalog.models import Product


@pytest.fixture
def eu_vat_rates():
    """The EU VAT table as its data migration seeds it (a transactional test's flush empties the
    table of a reused test database, so tests that price EU destinations seed it again)."""
    seed = importlib.import_module("marketplace.migrations.0013_seed_eu_vat_rates")
    from django.apps import apps

    seed.seed(apps, None)
    return seed.EU_STANDARD_VAT


@pytest.fixture
def demo_catalogue(settings):
    """``seed_demo``'s catalogue (240 products), as ``{id: Product}`` with categories."""
    settings.DEBUG = True  # as under `make run` (see test_seed_demo_guard.py)
    call_command("seed_demo", stdout=io.StringIO())
    return {p.pk: p for p in Product.objects.select_related("category")}
