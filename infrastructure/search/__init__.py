"""Search engines the catalogue can put behind its search interface (``SEARCH_BACKEND``).

``opensearch``: a small JSON client of the OpenSearch/Elasticsearch REST API (``_search``,
``_bulk``, index creation and aliases), every call with a timeout. The catalogue builds the
request bodies (``marketplace.catalog.search.opensearch``); this package only carries them.
"""
