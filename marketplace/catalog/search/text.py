"""Free-text search: a FULLTEXT index with relevance on MySQL/MariaDB, ``icontains`` elsewhere.

Every product keeps a ``search_document`` (name, brand, tags, category name, description) that
the FULLTEXT index of migration 0002 covers. Terms become a boolean-mode query in which every
term is required and matched as a prefix (``+oak* +chair*``). Terms the index cannot see (shorter
than InnoDB's minimum token size, or stopwords) fall back to a substring match.
"""

import re

from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, Lookup, Q, Value, When

MIN_TOKEN_LENGTH = 3
MAX_TERMS = 10
# InnoDB's default stopword list: such terms never match the index.
STOPWORDS = frozenset(
    {
        "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i",
        "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when",
        "where", "who", "will", "with", "und", "www",
    }
)  # fmt: skip


def build_search_document(*, name, brand="", tags=(), category_name="", description=""):
    parts = [name, brand, " ".join(str(tag) for tag in tags or ()), category_name, description]
    return "\n".join(part for part in parts if part)


def search_terms(query):
    return [term.lower() for term in re.findall(r"\w+", query or "")][:MAX_TERMS]


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


def _uses_fulltext():
    return connection.vendor == "mysql"


def apply_text_search(queryset, query, *, with_relevance):
    """Filter ``queryset`` on ``query``; annotate ``relevance`` when asked (higher is better)."""
    terms = search_terms(query)
    if not terms:
        return (
            queryset.annotate(relevance=Value(0.0, output_field=FloatField())) if with_relevance else queryset
        )
    indexed = [t for t in terms if len(t) >= MIN_TOKEN_LENGTH and t not in STOPWORDS]
    substring = [t for t in terms if t not in indexed]
    if _uses_fulltext() and indexed:
        boolean_query = " ".join(f"+{term}*" for term in indexed)
        queryset = queryset.filter(FullTextSearch(F("search_document"), boolean_query))
        if with_relevance:
            queryset = queryset.annotate(relevance=FullTextMatch(F("search_document"), boolean_query))
    else:
        substring = terms
        if with_relevance:
            phrase = " ".join(terms)
            queryset = queryset.annotate(
                relevance=Case(
                    When(name__icontains=phrase, then=Value(2)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
    for term in substring:
        queryset = queryset.filter(Q(search_document__icontains=term))
    return queryset
