"""Recording product activity (views, clicks, favorites, add-to-cart) for seller analytics.

Events go to a buffer (``buffer.py``); ``activity_flush`` writes the buffered counts in one
batch into ``ProductDailyActivity`` and the product's ``view_count``/``click_count``. A view
counts at most once per viewer per hour.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from designiaBackend.cache import CACHE_ERRORS, cache_available, cache_circuit_trip
from marketplace.activity import buffer
from marketplace.activity.models import ProductDailyActivity
from marketplace.catalog.models import Product

ACTIONS = ("view", "click", "favorite", "add_to_cart")
DAILY_FIELD = {"view": "views", "click": "clicks", "favorite": "favorites", "add_to_cart": "add_to_cart"}
PRODUCT_FIELD = {"view": "view_count", "click": "click_count"}
VIEW_DEDUP_SECONDS = 3600


def activity_record(*, product_id, action, viewer):
    """Count one event; returns False for a repeated view within the hour (not counted), and while
    Redis is unreachable (a counter never fails a request: the event is dropped and counted in
    ``designia_cache_failures_total``)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown activity action {action!r}.")
    if not cache_available():
        return False
    try:
        return _record(product_id, action, viewer)
    except CACHE_ERRORS as exc:
        cache_circuit_trip("activity", exc)
        return False


def _record(product_id, action, viewer):
    field = _field(product_id, action)
    if action == "view":
        if not buffer.add_once(_view_marker(product_id, viewer), field, VIEW_DEDUP_SECONDS):
            return False
    else:
        buffer.add(field)
    _flush_if_due()
    return True


def activity_view_record_later(*, product_id, viewer):
    """A product page view, counted once per viewer per hour like ``activity_record``, without
    waiting for Redis: the check is queued in the process and sent within a second."""
    buffer.add_once_later(_view_marker(product_id, viewer), _field(product_id, "view"), VIEW_DEDUP_SECONDS)
    _flush_if_due()


def _field(product_id, action):
    return f"{product_id}:{action}:{timezone.now().date().isoformat()}"


def _view_marker(product_id, viewer):
    return f"activity:seen:{product_id}:{viewer}"


def _flush_if_due():
    if buffer.local_flush_due():
        activity_flush()


def activity_flush():
    """Write every buffered count to the database in one batch; returns the number of events."""
    counts = buffer.drain()
    if not counts:
        return 0
    try:
        activity_apply(counts=counts)
    except Exception:
        buffer.restore(counts)
        raise
    return sum(counts.values())


@transaction.atomic
def activity_apply(*, counts):
    """Add ``{"<product>:<action>:<date>": n}`` to the daily rows and the product counters."""
    daily = defaultdict(lambda: defaultdict(int))
    totals = defaultdict(lambda: defaultdict(int))
    for field, amount in counts.items():
        product_id, action, day = field.split(":")
        daily[(int(product_id), day)][DAILY_FIELD[action]] += amount
        if action in PRODUCT_FIELD:
            totals[int(product_id)][PRODUCT_FIELD[action]] += amount
    existing = set(Product.objects.filter(pk__in={key[0] for key in daily}).values_list("pk", flat=True))
    for (product_id, day), increments in sorted(daily.items()):
        if product_id in existing:
            _add_daily(product_id, day, increments)
    for product_id, increments in sorted(totals.items()):
        if product_id in existing:
            Product.objects.filter(pk=product_id).update(**{k: F(k) + v for k, v in increments.items()})


def _add_daily(product_id, day, increments):
    updates = {name: F(name) + amount for name, amount in increments.items()}
    if ProductDailyActivity.objects.filter(product_id=product_id, date=day).update(**updates):
        return
    try:
        with transaction.atomic():
            ProductDailyActivity.objects.create(product_id=product_id, date=day, **increments)
    except IntegrityError:  # created concurrently
        ProductDailyActivity.objects.filter(product_id=product_id, date=day).update(**updates)
