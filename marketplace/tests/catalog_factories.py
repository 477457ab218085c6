"""Factories and helpers for the catalogue tests (products, images, received orders)."""

import base64
import io
from decimal import Decimal

import factory
from PIL import Image

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Category, Product
from marketplace.catalog.products.attributes import product_attributes_sync
from marketplace.catalog.products.services import product_refresh_search_document, products_indexed
from marketplace.ordering.models import Order, OrderItem, Shipment


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Test Category {n}")
    slug = factory.Sequence(lambda n: f"test-category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    seller = factory.SubFactory(SellerFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Walnut Side Table {n}")
    slug = factory.Sequence(lambda n: f"walnut-side-table-{n}")
    description = "Solid walnut, oiled by hand."
    price = Decimal("120.00")
    stock_quantity = 5
    brand = "Atelier Nord"
    tags = factory.LazyFunction(lambda: ["walnut", "table"])

    @factory.post_generation
    def index(obj, create, extracted, **kwargs):
        product_refresh_search_document(obj)
        if create:
            obj.save(update_fields=["search_keywords", "search_document"])
            if obj.materials or obj.colors:
                product_attributes_sync([obj])
            products_indexed([obj])


def image_bytes(size=(64, 48), color=(180, 120, 60), image_format="PNG"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=image_format)
    return out.getvalue()


def data_url(data, mime="image/png"):
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def image_item(filename="a.png", is_primary=False, order=0, **kwargs):
    return {
        "image_content": data_url(image_bytes(**kwargs)),
        "filename": filename,
        "is_primary": is_primary,
        "order": order,
    }


def received_order_item(*, buyer, product, status=Order.Status.DELIVERED):
    """A shipped or delivered order of ``product`` by ``buyer``: a verified purchase."""
    order = Order.objects.create(buyer=buyer, status=status, payment_status=Order.PaymentStatus.PAID)
    shipped = status in (Order.Status.SHIPPED, Order.Status.DELIVERED)
    shipment = Shipment.objects.create(
        order=order, seller=product.seller, status=status if shipped else Shipment.Status.PENDING
    )
    return OrderItem.objects.create(
        order=order,
        shipment=shipment,
        product=product,
        seller=product.seller,
        product_name=product.name,
        unit_price=product.price,
        quantity=1,
        total_price=product.price,
    )


__all__ = [
    "CategoryFactory",
    "ProductFactory",
    "SellerFactory",
    "UserFactory",
    "data_url",
    "image_bytes",
    "image_item",
    "received_order_item",
]
