"""The judged query set (issue 15): precision@5 and recall on the seeded demo catalogue, through
the real search URL. On MariaDB (CI); on SQLite's FTS5 with
``DATABASE_URL=sqlite:////tmp/designia-search.db pytest marketplace/tests/test_search_relevance.py``.
"""

import io

import pytest
from django.core.management import call_command

from marketplace.catalog.search.relevance import JUDGED_QUERIES, MIN_PRECISION_AT_5, evaluate
from marketplace.tests.test_catalog_search import search


@pytest.mark.django_db(transaction=True)
def test_judged_query_set_precision_at_5(api_client, demo_catalogue):
    def ranked(query):
        return [int(item["id"]) for item in search(api_client, query)["results"]]

    scores = evaluate(ranked)

    assert len(scores) == len(JUDGED_QUERIES) >= 30
    assert all(score.relevant > 0 for score in scores), [s.query for s in scores if not s.relevant]
    precision = sum(s.precision for s in scores) / len(scores)
    recall = sum(s.recall for s in scores) / len(scores)
    assert precision >= MIN_PRECISION_AT_5, [(s.query, s.precision) for s in scores]
    assert recall >= MIN_PRECISION_AT_5
    assert sum(len(s.wrong_in_top) for s in scores) <= 2, [(s.query, s.wrong_in_top) for s in scores]

    out = io.StringIO()
    call_command("search_relevance", stdout=out)
    assert f"{len(scores)} queries: precision@5 " in out.getvalue()
