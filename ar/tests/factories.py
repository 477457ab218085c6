from decimal import Decimal

import factory

from ar.models import MobileAppRelease
from authentication.tests.factories import SellerFactory
from marketplace.catalog.models import Category, Product


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"AR category {n}")
    slug = factory.Sequence(lambda n: f"ar-category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Oak chair {n}")
    slug = factory.Sequence(lambda n: f"ar-oak-chair-{n}")
    price = Decimal("149.00")
    stock_quantity = 3


class MobileAppReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MobileAppRelease
        django_get_or_create = ["platform"]

    platform = MobileAppRelease.Platform.IOS
    latest_version = "2.3.0"
    minimum_version = "2.0.0"
    store_url = "https://apps.apple.com/app/designia/id123456789"
    release_notes = "AR previews of every chair."
