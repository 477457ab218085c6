"""Review writes. Every change recomputes the product's rating aggregates exactly, under the
product's row lock, so concurrent reviews can never leave a stale average or count."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api.after_commit import best_effort
from designiaBackend.api.notifications import notify
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.models import Product
from marketplace.catalog.products.seller_ratings import rating_points, seller_rating_move, stars_average
from marketplace.lock_objects import product_for_update, review_for_update
from marketplace.ordering.selectors import buyer_has_received_product
from marketplace.reviews.exceptions import (
    DuplicateReviewError,
    NotProductSellerError,
    NotReviewAuthorError,
    OwnReviewVoteError,
    VerifiedPurchaseRequiredError,
)
from marketplace.reviews.models import Review, ReviewHelpfulVote

REVIEW_FIELDS = ("rating", "title", "comment")


def product_rating_recompute(*, product_id):
    """Average, count and 1–5 distribution of the visible reviews, and the seller's rating moved
    by the difference; the product row must be locked."""
    rows = dict(
        Review.objects.filter(product_id=product_id, is_hidden=False)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    count = sum(rows.values())
    total = sum(rating * n for rating, n in rows.items())
    average = stars_average(total, count)
    before = (
        Product.objects.filter(pk=product_id)
        .values("seller_id", "deleted_at", "rating_distribution", "review_count")
        .get()
    )
    Product.objects.filter(pk=product_id).update(
        average_rating=average,
        review_count=count,
        rating_distribution={str(star): rows.get(star, 0) for star in range(1, 6)},
    )
    if before["deleted_at"] is None:  # a deleted product's share already left its seller's rating
        seller_rating_move(
            seller_id=before["seller_id"],
            points=total - rating_points(before["rating_distribution"]),
            reviews=count - before["review_count"],
        )
    best_effort(category_tree_invalidate, what="cache_invalidate")


def _lock_product(product_id):
    return product_for_update(product_id, fields=("id", "seller_id"))


@transaction.atomic
def review_create(*, product, reviewer, rating, comment, title=""):
    """E28: only a buyer with a shipped or delivered order item (403), once per product (400)."""
    _lock_product(product.pk)
    if not buyer_has_received_product(buyer=reviewer, product=product):
        raise VerifiedPurchaseRequiredError()
    if Review.objects.filter(product=product, reviewer=reviewer).exists():
        raise DuplicateReviewError()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product=product,
                reviewer=reviewer,
                rating=rating,
                title=title,
                comment=comment,
                is_verified_purchase=True,
            )
    except IntegrityError as exc:
        raise DuplicateReviewError() from exc
    product_rating_recompute(product_id=product.pk)
    _review_notify(review, product)
    return review


def _review_notify(review, product):
    notify(
        recipient=product.seller_id,
        kind="review_received",
        event_key=f"review_received:{review.pk}",
        title=format_lazy(
            _("New {rating}-star review of {product}"), rating=review.rating, product=product.name
        ),
        body=review.title or review.comment[:200],
        link_type="product",
        link_id=str(product.pk),
        url=f"{settings.FRONTEND_URL}/products/{product.slug}",
    )


def _locked_review(review_id):
    review = Review.objects.select_related("reviewer").get(pk=review_id)
    _lock_product(review.product_id)
    return review_for_update(review_id, with_reviewer=True)


@transaction.atomic
def review_update(*, review, user, data):
    """E29: the author changes rating, title or comment."""
    if review.reviewer_id != user.pk:
        raise NotReviewAuthorError()
    review = _locked_review(review.pk)
    for field in REVIEW_FIELDS:
        if field in data:
            setattr(review, field, data[field])
    review.save()
    product_rating_recompute(product_id=review.product_id)
    return review


@transaction.atomic
def review_delete(*, review, user):
    """E30: the author (or staff, moderating) deletes; the buyer may review again afterwards."""
    if review.reviewer_id != user.pk and not user.is_staff:
        raise NotReviewAuthorError("Only the author can delete this review.")
    review = _locked_review(review.pk)
    review.delete()
    product_rating_recompute(product_id=review.product_id)


@transaction.atomic
def review_moderate(*, review, moderator, hidden, note=""):
    """Staff hide a review (it leaves the list and the aggregates) or show it again."""
    review = _locked_review(review.pk)
    review.is_hidden = hidden
    review.moderation_note = note
    review.moderated_by = moderator
    review.save(update_fields=["is_hidden", "moderation_note", "moderated_by", "updated_at"])
    product_rating_recompute(product_id=review.product_id)
    return review


@transaction.atomic
def review_reply(*, review, seller, text):
    """The product's seller answers a review (an empty text removes the answer)."""
    product = _lock_product(review.product_id)
    if product.seller_id != seller.pk:
        raise NotProductSellerError()
    review = review_for_update(review.pk, with_reviewer=True)
    review.seller_reply = text
    review.seller_replied_at = timezone.now() if text else None
    review.save(update_fields=["seller_reply", "seller_replied_at", "updated_at"])
    return review


@transaction.atomic
def review_toggle_helpful(*, review, user):
    """E31: vote once, or take the vote back; ``helpful_count`` is recounted under the row lock."""
    review = review_for_update(review.pk)
    if review.reviewer_id == user.pk:
        raise OwnReviewVoteError()
    deleted, _ = ReviewHelpfulVote.objects.filter(review=review, user=user).delete()
    if not deleted:
        ReviewHelpfulVote.objects.create(review=review, user=user)
    review.helpful_count = ReviewHelpfulVote.objects.filter(review=review).count()
    review.save(update_fields=["helpful_count"])
    return review, not deleted
