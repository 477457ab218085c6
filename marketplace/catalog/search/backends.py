"""The one search interface of the catalogue, and its backends (``settings.SEARCH_BACKEND``).

- ``DatabaseSearchBackend`` (the default): MySQL/MariaDB FULLTEXT in boolean mode over the two
  documents of ``text.py`` (``search_keywords`` weighs four times ``search_document``), SQLite
  FTS5 (``make run``; BM25 with the same weights), a substring match on other databases. Typo
  correction, stems, compounds and ``did_you_mean`` come from ``text.search_plan`` and the
  vocabulary, the same on every database.
- ``opensearch.OpenSearchBackend``: an OpenSearch/Elasticsearch engine, for a shop that
  outgrows its database (see that module; never run here against a real engine).

A backend filters a product queryset by the query and, when asked, annotates ``relevance``
(higher is better); the filters, ordering and pagination stay in the selectors.
"""

from functools import cache as memoize

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import Case, F, FloatField, Func, Lookup, Q, Value, When
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.utils.module_loading import import_string

from marketplace.catalog.search.text import search_plan
from marketplace.catalog.search.vocabulary import vocabulary_add, vocabulary_current

KEYWORDS_WEIGHT = 4.0
PREFIX_WEIGHT = 0.25
FTS_TABLE = "marketplace_product_fts"  # SQLite only (migration 0016)


class SearchBackend:
    """What every search backend does."""

    def search(self, queryset, query, *, with_relevance):
        """``queryset`` narrowed to the products matching ``query`` (``relevance`` annotated when
        asked). A query without a single word (only punctuation) matches nothing."""
        raise NotImplementedError

    def did_you_mean(self, query):
        """A corrected query to propose when ``query`` found nothing, or None."""
        return

    def products_indexed(self, products):
        """``products`` (saved, with fresh documents) changed: index them (in the write's transaction)."""

    def index_products(self, product_ids):
        """Bring an engine's copy of these products up to date (the task ``products_indexed``
        schedules; nothing to do where the index is the database's own)."""

    def reindex(self):
        """Rebuild an engine's index from the public products (``manage.py search_reindex``);
        returns how many were indexed, or None when the index is the database's own."""
        return


class FullTextMatch(Func):
    """``MATCH (column) AGAINST (%s IN BOOLEAN MODE)`` (MySQL/MariaDB only)."""

    output_field = FloatField()

    def __init__(self, expression, query):
        self.query = query
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        return f"MATCH ({column_sql}) AGAINST (%s IN BOOLEAN MODE)", [*column_params, self.query]


class FullTextSearch(Lookup):
    """The same MATCH as a WHERE condition. A Lookup, so MySQL gets no ``= true`` appended
    (which would compare the relevance score with 1 and drop every row)."""

    lookup_name = "fulltext"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"MATCH ({lhs_sql}) AGAINST ({rhs_sql} IN BOOLEAN MODE)", [*lhs_params, *rhs_params]


def _mysql_search(queryset, plan, with_relevance):
    required = " ".join(
        "+("
        + " ".join([*group.words, *(f'"{p}"' for p in group.phrases), *(f"{w}*" for w in group.prefixes)])
        + ")"
        for group in plan.groups
    )
    queryset = queryset.filter(FullTextSearch(F("search_document"), required))
    if not with_relevance:
        return queryset
    exact = " ".join(
        [*(w for g in plan.groups for w in g.words), *(f'"{p}"' for g in plan.groups for p in g.phrases)]
    )
    # Whole words rank above prefixes: a known word's prefix ("oak*" of Oakline) adds nothing.
    prefixes = " ".join(f"{w}*" for g in plan.groups if not g.known for w in g.prefixes)
    relevance = FullTextMatch(F("search_keywords"), exact) * Value(KEYWORDS_WEIGHT) + FullTextMatch(
        F("search_document"), exact
    )
    if prefixes:
        relevance = relevance + FullTextMatch(F("search_document"), prefixes) * Value(PREFIX_WEIGHT)
    return queryset.annotate(relevance=relevance)


def _fts5_quoted(text):
    return '"' + text.replace('"', "") + '"'


def _sqlite_search(queryset, plan, with_relevance):
    required = " AND ".join(
        "("
        + " OR ".join(
            [
                *(_fts5_quoted(w) for w in group.words),
                *(_fts5_quoted(p) for p in group.phrases),
                *(_fts5_quoted(w) + "*" for w in group.prefixes),
            ]
        )
        + ")"
        for group in plan.groups
    )
    # Only constant table names are formatted into the SQL; the query is a parameter.
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    matching = RawSQL(sql, [required])  # noqa: S611
    queryset = queryset.filter(id__in=matching)
    if not with_relevance:
        return queryset
    exact = " OR ".join(
        [
            *(_fts5_quoted(w) for g in plan.groups for w in g.words),
            *(_fts5_quoted(p) for g in plan.groups for p in g.phrases),
        ]
    )
    table = queryset.model._meta.db_table
    score = RawSQL(  # noqa: S611 - only the table names are formatted in
        f"COALESCE((SELECT -bm25({FTS_TABLE}, {KEYWORDS_WEIGHT}, 1.0) FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {table}.id), 0)",
        [exact],
        output_field=FloatField(),
    )
    return queryset.annotate(relevance=score)


def _substring_search(queryset, plan, with_relevance):
    for group in plan.groups:
        condition = Q()
        for text in [*group.words, *group.phrases, *group.prefixes]:
            condition |= Q(search_document__icontains=text)
        queryset = queryset.filter(condition)
    if with_relevance:
        in_name = Q()
        for word in (w for g in plan.groups for w in g.words):
            in_name |= Q(name__icontains=word)
        queryset = queryset.annotate(
            relevance=Case(When(in_name, then=Value(2.0)), default=Value(1.0), output_field=FloatField())
        )
    return queryset


class DatabaseSearchBackend(SearchBackend):
    """The database's own full-text search (the default backend)."""

    def search(self, queryset, query, *, with_relevance):
        plan = search_plan(query, vocabulary_current())
        if plan.empty:
            return queryset.none()
        if plan.groups:
            if connection.vendor == "mysql":
                queryset = _mysql_search(queryset, plan, with_relevance)
            elif connection.vendor == "sqlite":
                queryset = _sqlite_search(queryset, plan, with_relevance)
            else:
                queryset = _substring_search(queryset, plan, with_relevance)
        elif with_relevance:
            queryset = queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
        for term in plan.substrings:
            queryset = queryset.filter(search_document__icontains=term)
        return queryset

    def did_you_mean(self, query):
        return vocabulary_current().suggestion(query)

    def products_indexed(self, products):
        public = [p for p in products if p.is_active and p.deleted_at is None]
        vocabulary_add(*(text for p in public for text in (p.search_keywords, p.search_document)))


@memoize
def _backend(path):
    return import_string(path)()


@receiver(setting_changed)
def _search_settings_changed(*, setting, **kwargs):
    """A test (or ``override_settings``) that changes a SEARCH_ setting gets a backend built anew."""
    if setting.startswith("SEARCH_"):
        _backend.cache_clear()


def search_backend() -> SearchBackend:
    """The configured backend (``settings.SEARCH_BACKEND``, a dotted class path)."""
    return _backend(settings.SEARCH_BACKEND)
