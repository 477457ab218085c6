"""Activity reads for seller analytics (E44: total_views, total_clicks, total_favorites, ...)."""

from django.db.models import Sum

from marketplace.activity.models import ProductDailyActivity

FIELDS = ("views", "clicks", "favorites", "add_to_cart")


def _rows_for_seller(*, seller, since=None):
    rows = ProductDailyActivity.objects.filter(product__seller=seller)
    if since is not None:
        rows = rows.filter(date__gte=since)
    return rows


def activity_totals_for_seller(*, seller, since=None):
    """``{"views", "clicks", "favorites", "add_to_cart"}`` over the seller's products since a date."""
    totals = _rows_for_seller(seller=seller, since=since).aggregate(**{field: Sum(field) for field in FIELDS})
    return {field: totals[field] or 0 for field in FIELDS}


def activity_by_product_for_seller(*, seller, since=None):
    """``{product_id: {"views", "clicks", "favorites", "add_to_cart"}}`` for one seller."""
    rows = (
        _rows_for_seller(seller=seller, since=since)
        .values("product_id")
        .annotate(**{field: Sum(field) for field in FIELDS})
    )
    return {row["product_id"]: {field: row[field] or 0 for field in FIELDS} for row in rows}
