"""``manage.py search_reindex``: rewrite every product's search documents and rebuild the
vocabulary (after changing how documents are built, or to recount the vocabulary); with a
search engine as ``SEARCH_BACKEND`` (OpenSearch), also build a fresh engine index of the public
products and move the index alias to it."""

from django.core.management.base import BaseCommand
from django.db import transaction

from marketplace.catalog.models import Product
from marketplace.catalog.products.services import product_refresh_search_document
from marketplace.catalog.search.backends import search_backend
from marketplace.catalog.search.vocabulary import vocabulary_rebuild

BATCH = 500


class Command(BaseCommand):
    help = "Rewrite the products' search documents and rebuild the search vocabulary."

    def handle(self, *args, **options):
        ids = list(Product.objects.order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                products = list(
                    Product.objects.filter(id__in=ids[start : start + BATCH]).select_related("category")
                )
                for product in products:
                    product_refresh_search_document(product)
                Product.objects.bulk_update(products, ["search_keywords", "search_document"])
        terms = vocabulary_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Reindexed {len(ids)} products; vocabulary of {terms} terms."))
        indexed = search_backend().reindex()
        if indexed is not None:
            self.stdout.write(self.style.SUCCESS(f"Search engine: a new index of {indexed} public products."))
