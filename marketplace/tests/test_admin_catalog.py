"""Staff feature products from the admin, through the catalogue service."""

from html.parser import HTMLParser

import pytest

from authentication.tests.factories import StaffFactory
from marketplace.catalog.models import Product
from marketplace.tests.catalog_factories import ProductFactory
from marketplace.tests.test_api_catalog_list import add_image

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


class _FormFields(HTMLParser):
    """The values a browser would submit with the form ``form_id`` of an admin page."""

    def __init__(self, form_id):
        super().__init__()
        self.data, self._form_id, self._inside = {}, form_id, False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._inside = attrs.get("id") == self._form_id
        if not self._inside or not name and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self.data[name] = attrs.get("value") or ""
            elif "checked" in attrs:
                self.data[name] = attrs.get("value", "on")
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False


def test_image_inline_changes_reach_the_product_page(client, api_client):
    """Staff choose another primary photo in the product's admin page; the product page shows it."""
    client.force_login(StaffFactory(is_superuser=True))
    product = ProductFactory()
    first = add_image(product, primary=True)
    second = add_image(product, primary=False)
    change_url = f"/admin/marketplace/product/{product.pk}/change/"
    parser = _FormFields("product_form")
    parser.feed(client.get(change_url).content.decode())
    data = parser.data
    rows = {int(data[f"images-{n}-id"]): n for n in range(int(data["images-TOTAL_FORMS"]))}
    data.pop(f"images-{rows[first.pk]}-is_primary")
    data[f"images-{rows[second.pk]}-is_primary"] = "on"
    data[f"images-{rows[second.pk]}-order"] = "0"
    data[f"images-{rows[first.pk]}-order"] = "1"

    response = client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    page = api_client.get(f"/api/marketplace/products/{product.slug}/").json()
    assert [(image["id"], image["is_primary"]) for image in page["images"]] == [
        (str(second.pk), True),
        (str(first.pk), False),
    ]
