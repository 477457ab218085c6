"""Sellers' ratings (``SellerRating``): moved by product rating changes, read as "4.25" strings.

A seller's rating is the average star over the visible reviews of all their non-deleted
products. The totals move with F() expressions, so concurrent reviews of two products of one
seller both count; ``seller_ratings_rebuild`` recomputes them from the products (demo seeding,
repairs).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F

from marketplace.catalog.models import Product, SellerRating


def rating_points(distribution):
    """The sum of the stars of a product's ``rating_distribution`` ({"1": n, ..., "5": n})."""
    return sum(int(star) * count for star, count in (distribution or {}).items())


def stars_average(points, count):
    """The average star to two decimals (half up), ``Decimal("0.00")`` without reviews."""
    if not count:
        return Decimal("0.00")
    return (Decimal(points) / count).quantize(Decimal("0.01"), ROUND_HALF_UP)


def seller_rating_text(points, count):
    """The seller's average star as the API shows it: "4.25", "0.00" without reviews."""
    return str(stars_average(points, count))


def seller_rating_ensure(*, seller_id):
    """Create the seller's (empty) totals row, so later moves only ever update it."""
    SellerRating.objects.get_or_create(seller_id=seller_id)


def seller_rating_move(*, seller_id, points, reviews):
    """Add ``points`` stars and ``reviews`` reviews (either may be negative) to a seller's totals.

    An UPDATE with F() takes the row's lock at once, so concurrent moves queue up and all count.
    Products made outside the services may have no totals row yet: then the totals are rebuilt
    from the products (which already show the caller's change).
    """
    if not points and not reviews:
        return
    moved = SellerRating.objects.filter(seller_id=seller_id).update(
        rating_points=F("rating_points") + points, review_count=F("review_count") + reviews
    )
    if not moved:
        seller_ratings_rebuild(seller_ids=[seller_id])


def seller_ratings_rebuild(*, seller_ids=None):
    """Recompute sellers' totals from their products' rating distributions (all sellers by default)."""
    products = Product.objects.filter(deleted_at__isnull=True)
    if seller_ids is not None:
        products = products.filter(seller_id__in=list(seller_ids))
    totals = defaultdict(lambda: [0, 0])
    for seller_id, distribution, count in products.values_list(
        "seller_id", "rating_distribution", "review_count"
    ):
        totals[seller_id][0] += rating_points(distribution)
        totals[seller_id][1] += count
    for seller_id, (points, reviews) in totals.items():
        SellerRating.objects.update_or_create(
            seller_id=seller_id, defaults={"rating_points": points, "review_count": reviews}
        )
