"""Celery tasks of the search engine's index (queue ``marketplace_tasks``): only an engine
backend (``opensearch.OpenSearchBackend``) schedules them."""

from celery import shared_task

from infrastructure.search.opensearch import SearchEngineError
from marketplace.catalog.search.backends import search_backend


@shared_task(
    name="marketplace.catalog.search.tasks.search_index_task",
    autoretry_for=(SearchEngineError, OSError),
    retry_backoff=True,
    max_retries=8,
    ignore_result=True,
)
def search_index_task(*, product_ids) -> None:
    """Index the public ones of these products in the engine, delete the others (idempotent)."""
    search_backend().index_products(product_ids)
