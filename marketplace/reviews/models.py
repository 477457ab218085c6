from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from marketplace.catalog.models import Product


class Review(models.Model):
    """One buyer's review of one product. Deleting it (hard delete) allows a new review."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=200, blank=True)
    comment = models.TextField(max_length=1000)
    is_verified_purchase = models.BooleanField(default=False)
    # Staff moderation: a hidden review leaves the list and the product's rating aggregates.
    is_hidden = models.BooleanField(default=False)
    moderation_note = models.CharField(max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    helpful_count = models.PositiveIntegerField(default=0)
    seller_reply = models.TextField(max_length=1000, blank=True)
    seller_replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "reviewer"], name="one_review_per_buyer_and_product"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "is_hidden", "-created_at"], name="review_product_visible")
        ]

    def __str__(self):
        return f"{self.rating}/5 by {self.reviewer_id} on {self.product_id}"


class ReviewHelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="one_helpful_vote_per_user")]

    def __str__(self):
        return f"{self.user_id} found review {self.review_id} helpful"
