"""The WSGI application with one hand-built speed-up of the product page swapped for its plain
counterpart, for the A/B in ``bench/run.py --ab`` (``BENCH_AB``; empty: the application as built).

- ``plain-orm``: the product page's query through the ORM each time instead of ``PreparedQuery``;
- ``sync-views``: the view counted by ``activity_record`` (one Redis script call in the request)
  instead of queued for the buffer thread (``activity_view_record_later``).
"""

import os

from designiaBackend.wsgi import application  # noqa: F401 - the served application

VARIANT = os.environ.get("BENCH_AB", "")

if VARIANT == "plain-orm":
    from marketplace.catalog.products import selectors

    class _PlainQuery:
        def first(self, *, slug):  # the same SQL (no ORDER BY/LIMIT that .first() would add)
            rows = list(selectors._product_page_query(slug))
            return rows[0] if rows else None

    selectors._PRODUCT_PAGE = _PlainQuery()
elif VARIANT == "sync-views":
    from marketplace.activity.services import activity_record
    from marketplace.catalog.products import apis

    def _record_now(*, product_id, viewer):
        activity_record(product_id=product_id, action="view", viewer=viewer)

    apis.activity_view_record_later = _record_now
elif VARIANT:
    raise SystemExit(f"Unknown BENCH_AB {VARIANT!r}")
