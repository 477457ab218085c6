"""Staff feature products from the admin, through the catalogue service."""

import pytest

from authentication.tests.factories import StaffFactory
from marketplace.catalog.models import Product
from marketplace.tests.catalog_factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_feature_and_unfeature_actions(client):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    chosen = [ProductFactory(is_featured=False), ProductFactory(is_featured=False)]
    untouched = ProductFactory(is_featured=False)
    ids = [str(p.pk) for p in chosen]

    response = client.post(
        "/admin/marketplace/product/", {"action": "feature_products", "_selected_action": ids}, follow=True
    )
    assert response.status_code == 200
    assert set(Product.objects.filter(is_featured=True).values_list("pk", flat=True)) == {
        p.pk for p in chosen
    }

    client.post("/admin/marketplace/product/", {"action": "unfeature_products", "_selected_action": ids[:1]})
    assert set(Product.objects.filter(is_featured=True).values_list("pk", flat=True)) == {chosen[1].pk}
    untouched.refresh_from_db()
    assert untouched.is_featured is False
