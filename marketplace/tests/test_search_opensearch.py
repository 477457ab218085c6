"""The OpenSearch/Elasticsearch adapter (issue 15) without a search engine: no engine can run
here, so these tests check the switch by settings, the index mapping, the request bodies the
adapter builds (search, suggester, bulk), what a product write schedules, and that an engine
that does not answer (a real refused connection) is a 503 in the error shape, not a 500. The
adapter has never run against a real engine in this repository's tests."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from designiaBackend.outbox.models import OutboxMessage
from marketplace.catalog.search.backends import DatabaseSearchBackend, search_backend
from marketplace.catalog.search.opensearch import (
    FUZZINESS,
    INDEX_BODY,
    TEXT_FIELDS,
    OpenSearchBackend,
    bulk_actions,
    opensearch_document,
    search_body,
    suggest_body,
    suggestion_from,
)
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory

URL = "/api/marketplace/products/"
ADAPTER = "marketplace.catalog.search.opensearch.OpenSearchBackend"
REFUSED = "http://127.0.0.1:9"  # nothing listens on the discard port: connections are refused
TASK = "marketplace.catalog.search.tasks.search_index_task"


@pytest.fixture
def engine(settings):
    settings.SEARCH_BACKEND = ADAPTER
    settings.SEARCH_OPENSEARCH_URL = REFUSED
    settings.SEARCH_OPENSEARCH_TIMEOUT_SECONDS = 0.5
    return search_backend()


def test_the_database_is_the_default_and_the_adapter_is_chosen_by_settings(settings):
    assert type(search_backend()) is DatabaseSearchBackend
    settings.SEARCH_BACKEND = ADAPTER
    settings.SEARCH_OPENSEARCH_URL = ""
    with pytest.raises(ImproperlyConfigured, match="SEARCH_OPENSEARCH_URL"):
        search_backend()
    settings.SEARCH_OPENSEARCH_URL = "https://search.internal:9200/"
    settings.SEARCH_OPENSEARCH_INDEX = "shop-products"
    backend = search_backend()
    assert type(backend) is OpenSearchBackend
    assert (backend.client.url, backend.index) == (
        "https://search.internal:9200",
        "shop-products",
    )


def test_the_index_stems_folds_accents_joins_compounds_and_keeps_plain_words_for_suggestions():
    analysis = INDEX_BODY["settings"]["analysis"]
    text = analysis["analyzer"]["catalog_text"]
    assert text["filter"] == ["lowercase", "asciifolding", "catalog_possessive", "catalog_stemmer"]
    assert analysis["filter"]["catalog_stemmer"] == {"type": "stemmer", "language": "light_english"}
    pairs = analysis["filter"]["catalog_pairs"]
    assert (pairs["type"], pairs["token_separator"], pairs["output_unigrams"]) == ("shingle", "", True)
    assert analysis["filter"]["catalog_pairs_only"]["output_unigrams"] is False
    fields = INDEX_BODY["mappings"]["properties"]
    assert INDEX_BODY["mappings"]["dynamic"] == "strict"
    assert set(fields) == {*TEXT_FIELDS, "joined", "suggest"}
    assert fields["joined"] == {
        "type": "text",
        "analyzer": "catalog_joined",
        "search_analyzer": "catalog_joined_query",
    }
    assert fields["suggest"]["analyzer"] == "catalog_words"
    assert fields["name"]["copy_to"] == ["joined", "suggest"]
    assert fields["description"]["copy_to"] == ["suggest"]  # no compounds across description words
    # every analyzer names filters that exist (or are built in)
    builtin = {"lowercase", "asciifolding"}
    for analyzer in analysis["analyzer"].values():
        assert set(analyzer["filter"]) <= builtin | set(analysis["filter"]), analyzer


def test_the_search_body_needs_every_word_forgives_one_typo_and_ranks_exact_words_first():
    body = search_body("Wallnut  DAY-bed!!", size=50)
    assert (body["size"], body["_source"], body["track_total_hits"]) == (50, False, False)
    fuzzy, joined, prefix = body["query"]["bool"]["must"]["bool"]["should"]
    assert body["query"]["bool"]["must"]["bool"]["minimum_should_match"] == 1
    assert fuzzy["multi_match"]["query"] == "wallnut day bed"
    assert (fuzzy["multi_match"]["operator"], fuzzy["multi_match"]["fuzziness"]) == ("and", FUZZINESS)
    assert FUZZINESS == "AUTO:4,1000"  # one edit from four letters on, none below (as the database)
    assert fuzzy["multi_match"]["fields"][:4] == ["name^4", "materials^4", "colors^4", "category^4"]
    assert "description" in fuzzy["multi_match"]["fields"]
    assert joined == {"match": {"joined": {"query": "wallnut day bed", "boost": 1.5}}}
    assert prefix["multi_match"]["type"] == "bool_prefix" and prefix["multi_match"]["boost"] < 1
    exact = body["query"]["bool"]["should"]["multi_match"]
    assert "fuzziness" not in exact and exact["boost"] > 1


def test_did_you_mean_comes_from_the_term_suggester():
    body = suggest_body("wallnutt  tabel")
    term = body["suggest"]["words"]["term"]
    assert (body["size"], body["suggest"]["text"]) == (0, "wallnutt tabel")
    assert (term["field"], term["suggest_mode"], term["max_edits"], term["size"]) == (
        "suggest",
        "missing",
        2,
        1,
    )
    # the answer's shape as the engines document it (the adapter never read a real one here)
    answer = {
        "suggest": {
            "words": [
                {"text": "wallnutt", "offset": 0, "length": 8, "options": [{"text": "walnut", "score": 0.8}]},
                {"text": "tabel", "offset": 9, "length": 5, "options": [{"text": "table", "score": 0.8}]},
            ]
        }
    }
    assert suggestion_from(answer) == "walnut table"
    answer["suggest"]["words"][1]["options"] = []
    assert suggestion_from(answer) == "walnut tabel"
    assert suggestion_from({"suggest": {"words": [{"text": "oak", "options": []}]}}) is None
    assert suggestion_from({}) is None


@pytest.mark.django_db
def test_bulk_indexes_public_products_and_deletes_the_others():
    category = CategoryFactory(name="Daybeds")
    public = ProductFactory(
        name="Teak Day Bed", category=category, materials="Teak, linen", colors=["Sand"], style="mid-century"
    )
    hidden = ProductFactory(is_active=False)
    actions = bulk_actions("shop", [public.pk, hidden.pk, 999999], [public, hidden])
    assert actions == [
        {"index": {"_index": "shop", "_id": str(public.pk)}},
        {
            "name": "Teak Day Bed",
            "materials": ["teak", "linen"],
            "colors": ["Sand"],
            "category": "Daybeds",
            "style": "mid century",
            "brand": public.brand,
            "tags": list(public.tags),
            "description": public.description,
        },
        {"delete": {"_index": "shop", "_id": str(hidden.pk)}},
        {"delete": {"_index": "shop", "_id": "999999"}},
    ]
    assert set(opensearch_document(public)) == set(TEXT_FIELDS)


@pytest.mark.django_db
def test_product_writes_schedule_the_engine_update_through_the_outbox(engine, auth_client):
    from authentication.tests.factories import SellerFactory

    seller = auth_client(SellerFactory())
    created = seller.post(URL, {"name": "Oak Bench", "price": "300.00", "materials": "Oak"}, format="json")
    assert created.status_code == 201
    product_id = int(created.json()["id"])
    assert (
        seller.patch(f"{URL}{created.json()['slug']}/", {"price": "320.00"}, format="json").status_code == 200
    )
    assert seller.delete(f"{URL}{created.json()['slug']}/").status_code == 204

    messages = OutboxMessage.objects.filter(task=TASK).order_by("id")
    assert [m.kwargs for m in messages] == [{"product_ids": [product_id]}] * 3
    assert len({m.key for m in messages}) == 3  # each write its own message


@pytest.mark.django_db
def test_an_engine_that_does_not_answer_is_a_503_not_a_500(engine, api_client):
    ProductFactory(name="Oak Table")
    for url in (f"{URL}search/", URL, f"{URL}filters/"):
        response = api_client.get(url, {"q": "oak"})
        assert response.status_code == 503, (url, response.content[:200])
        assert response.json()["code"] == "service_unavailable"
    # only punctuation: nothing to ask the engine, an empty page
    response = api_client.get(f"{URL}search/", {"q": "?!"})
    assert (response.status_code, response.json()["count"]) == (200, 0)
    assert engine.did_you_mean("wallnut") is None  # a proposal only: no error without the engine
    assert api_client.get(URL).status_code == 200  # browsing without q never asks the engine


@pytest.mark.django_db
def test_search_reindex_on_the_database_backend_builds_no_engine_index():
    ProductFactory()
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert "Reindexed 1 products" in out.getvalue() and "Search engine" not in out.getvalue()
