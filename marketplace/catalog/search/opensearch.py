"""The OpenSearch/Elasticsearch search backend (``SEARCH_BACKEND`` =
``marketplace.catalog.search.opensearch.OpenSearchBackend``), for a shop that outgrows its
database's full-text search. Not the default, and never run here against a real engine: the
tests check the request bodies it builds and the switch by settings.

- **Index**: ``SEARCH_OPENSEARCH_INDEX`` is an alias; ``manage.py search_reindex`` builds a new
  index (``INDEX_BODY``: English light stemming, ASCII folding, a field of joined word pairs for
  compounds, a plain-word field for suggestions), fills it with the public products through
  ``_bulk``, then moves the alias to it and drops the old index (searches never see a half-filled
  index).
- **Writes**: ``products_indexed`` (called by every product write in its transaction) records an
  outbox task (``search_index_task``) that, after the commit, reads the products again and sends
  one ``_bulk``: an ``index`` for each public product, a ``delete`` for the others. An engine
  that is down delays the task (the outbox retries), never the write.
- **Search**: the engine returns the ids and scores of the best ``SEARCH_OPENSEARCH_MAX_HITS``
  matches (``search_body``: every word must match one field, one typo per word of four letters
  or more, "day bed" meets "daybed", whole words rank above typos and prefixes); the queryset is
  narrowed to those ids, so filters, sorts, pagination and visibility stay in the database (a
  product the engine still knows but the database hides is never shown).
- **did_you_mean**: the engine's term suggester over the plain words (``suggest_body``).
"""

import time
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, FloatField, Value, When

from designiaBackend.api.after_commit import must_happen
from designiaBackend.errors import ServiceUnavailableError
from infrastructure.search.opensearch import OpenSearchClient, SearchEngineError
from marketplace.catalog.models import Product
from marketplace.catalog.products.attributes import material_values
from marketplace.catalog.search.backends import SearchBackend
from marketplace.catalog.search.text import MAX_TERMS, MIN_CORRECTED_LENGTH, MIN_TOKEN_LENGTH, words

REINDEX_BATCH = 500
TEXT_FIELDS = ("name", "materials", "colors", "category", "style", "brand", "tags", "description")
# One typo per word of MIN_CORRECTED_LENGTH letters or more, none below (the database backend also
# supplies one missing letter to an unknown three-letter word: "tek" -> teak).
FUZZINESS = f"AUTO:{MIN_CORRECTED_LENGTH},1000"
EXACT_BOOST = 2.0
PREFIX_BOOST = 0.5
JOINED_BOOST = 1.5
# Name, materials, colours and category weigh most (as in the database's search_keywords).
OPENSEARCH_FIELDS = [
    "name^4",
    "materials^4",
    "colors^4",
    "category^4",
    "style^3",
    "brand^2",
    "tags^2",
    "description",
]


def _text(analyzer="catalog_text", **extra):
    return {"type": "text", "analyzer": analyzer, **extra}


INDEX_BODY = {
    "settings": {
        "number_of_shards": 1,
        "analysis": {
            "filter": {
                "catalog_possessive": {"type": "stemmer", "language": "possessive_english"},
                # Plurals and simple endings (chairs -> chair, shelves -> shelf), no aggressive stems.
                "catalog_stemmer": {"type": "stemmer", "language": "light_english"},
                "catalog_pairs": {
                    "type": "shingle",
                    "min_shingle_size": 2,
                    "max_shingle_size": 2,
                    "token_separator": "",
                    "output_unigrams": True,
                },
                "catalog_pairs_only": {
                    "type": "shingle",
                    "min_shingle_size": 2,
                    "max_shingle_size": 2,
                    "token_separator": "",
                    "output_unigrams": False,
                },
            },
            "analyzer": {
                "catalog_text": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "catalog_possessive", "catalog_stemmer"],
                },
                # Indexed: the words and each pair of neighbours joined ("day bed" -> "daybed").
                "catalog_joined": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "catalog_pairs", "catalog_stemmer"],
                },
                # Searched: only the joined pairs of the query ("day bed" finds "Daybed").
                "catalog_joined_query": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "catalog_pairs_only", "catalog_stemmer"],
                },
                "catalog_words": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding"],
                },
            },
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            **{
                field: _text(copy_to=["joined", "suggest"] if field != "description" else ["suggest"])
                for field in TEXT_FIELDS
            },
            "joined": _text("catalog_joined", search_analyzer="catalog_joined_query"),
            "suggest": _text("catalog_words"),
        },
    },
}


def opensearch_document(product):
    """The indexed fields of a product (its category loaded)."""
    return {
        "name": product.name,
        "materials": material_values(product.materials),
        "colors": [str(color) for color in product.colors or ()],
        "category": product.category.name if product.category_id else "",
        "style": (product.style or "").replace("-", " "),
        "brand": product.brand,
        "tags": [str(tag) for tag in product.tags or ()],
        "description": product.description,
    }


def bulk_actions(index, product_ids, products):
    """The ``_bulk`` lines bringing ``product_ids`` up to date: ``products`` (those found) that are
    public are indexed, every other id is deleted."""
    found = {product.pk: product for product in products}
    actions = []
    for pk in product_ids:
        product = found.get(pk)
        if product is not None and product.is_active and product.deleted_at is None:
            actions += [{"index": {"_index": index, "_id": str(pk)}}, opensearch_document(product)]
        else:
            actions.append({"delete": {"_index": index, "_id": str(pk)}})
    return actions


def _query_text(query):
    return " ".join(words(query)[:MAX_TERMS])


def search_body(query, *, size):
    """The ``_search`` body of ``query``: ids and scores only."""
    text = _query_text(query)
    return {
        "size": size,
        "_source": False,
        "track_total_hits": False,
        "query": {
            "bool": {
                "must": {
                    "bool": {
                        "should": [
                            {
                                "multi_match": {
                                    "query": text,
                                    "fields": OPENSEARCH_FIELDS,
                                    "operator": "and",
                                    "fuzziness": FUZZINESS,
                                    "prefix_length": 1,
                                }
                            },
                            {"match": {"joined": {"query": text, "boost": JOINED_BOOST}}},
                            {
                                "multi_match": {
                                    "query": text,
                                    "fields": OPENSEARCH_FIELDS,
                                    "type": "bool_prefix",
                                    "operator": "and",
                                    "boost": PREFIX_BOOST,
                                }
                            },
                        ],
                        "minimum_should_match": 1,
                    }
                },
                # Ranking only: the words as typed (no typo, no prefix) weigh more.
                "should": {
                    "multi_match": {
                        "query": text,
                        "fields": OPENSEARCH_FIELDS,
                        "operator": "and",
                        "boost": EXACT_BOOST,
                    }
                },
            }
        },
    }


def suggest_body(query):
    """The ``_search`` body asking the term suggester for the closest known word of each unknown one."""
    return {
        "size": 0,
        "suggest": {
            "text": _query_text(query),
            "words": {
                "term": {
                    "field": "suggest",
                    "suggest_mode": "missing",
                    "max_edits": 2,
                    "prefix_length": 1,
                    "min_word_length": MIN_TOKEN_LENGTH,
                    "size": 1,
                    "sort": "score",
                }
            },
        },
    }


def suggestion_from(answer):
    """``did_you_mean`` from a term suggester's answer: the query with each word that has an
    option replaced by it, or None when no word has one."""
    entries = (answer.get("suggest") or {}).get("words") or []
    changed, result = False, []
    for entry in entries:
        options = entry.get("options") or []
        if options:
            changed = True
            result.append(options[0]["text"])
        else:
            result.append(entry["text"])
    return " ".join(result) if changed else None


class OpenSearchBackend(SearchBackend):
    """OpenSearch/Elasticsearch behind the catalogue's search interface (module docstring)."""

    def __init__(self):
        if not settings.SEARCH_OPENSEARCH_URL:
            raise ImproperlyConfigured("SEARCH_BACKEND is the OpenSearch adapter: set SEARCH_OPENSEARCH_URL.")
        self.client = OpenSearchClient(
            url=settings.SEARCH_OPENSEARCH_URL, timeout=settings.SEARCH_OPENSEARCH_TIMEOUT_SECONDS
        )
        self.index = settings.SEARCH_OPENSEARCH_INDEX

    def search(self, queryset, query, *, with_relevance):
        if not words(query):
            return queryset.none()
        body = search_body(query, size=settings.SEARCH_OPENSEARCH_MAX_HITS)
        try:
            hits = self.client.search(self.index, body)["hits"]["hits"]
        except (SearchEngineError, KeyError, TypeError) as exc:
            raise ServiceUnavailableError(
                "Search is unavailable right now. Please try again shortly."
            ) from exc
        scores = {int(hit["_id"]): float(hit["_score"] or 0.0) for hit in hits}
        queryset = queryset.filter(id__in=list(scores))
        if with_relevance:
            cases = [When(id=pk, then=Value(score)) for pk, score in scores.items()]
            queryset = queryset.annotate(
                relevance=Case(*cases, default=Value(0.0), output_field=FloatField())
            )
        return queryset

    def did_you_mean(self, query):
        try:
            return suggestion_from(self.client.search(self.index, suggest_body(query)))
        except SearchEngineError:
            return None  # a proposal only: the empty page stands without it

    def products_indexed(self, products):
        from marketplace.catalog.search.tasks import search_index_task

        ids = sorted({product.pk for product in products})
        if ids:
            must_happen(
                search_index_task, kwargs={"product_ids": ids}, key=f"search-index-{uuid.uuid4().hex}"
            )

    def index_products(self, product_ids):
        products = Product.objects.filter(id__in=product_ids).select_related("category")
        self.client.bulk(bulk_actions(self.index, product_ids, products))

    def reindex(self):
        """A new index with every public product, then the alias moved to it; returns the count."""
        new_index = f"{self.index}-{time.time_ns()}"
        old_indices = self.client.alias_indices(self.index)
        self.client.index_create(new_index, INDEX_BODY)
        public = Product.objects.filter(is_active=True, deleted_at__isnull=True)
        ids = list(public.order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), REINDEX_BATCH):
            batch = ids[start : start + REINDEX_BATCH]
            self.client.bulk(
                bulk_actions(new_index, batch, public.filter(id__in=batch).select_related("category"))
            )
        actions = [{"remove": {"index": old, "alias": self.index}} for old in old_indices]
        self.client.aliases_update([*actions, {"add": {"index": new_index, "alias": self.index}}])
        for old in old_indices:
            self.client.index_delete(old)
        return len(ids)
