from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField, public_id
from marketplace.reviews.selectors import ORDERINGS


class ReviewWriteSerializer(serializers.Serializer):
    """E28/E29: ``rating`` 1–5 (a number or numeric string), ``comment`` 10–1000 characters."""

    product_id = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=40,
        help_text="Sent by the client (a string; a number is accepted); the URL names the product.",
    )
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    comment = serializers.CharField(min_length=10, max_length=1000)


class ReviewListQuerySerializer(serializers.Serializer):
    ordering = serializers.ChoiceField(list(ORDERINGS), required=False, default="-created_at")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class ReviewReplySerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=1000)


class ReviewModerateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(["hide", "show"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReviewerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    id = PublicIdField()
    product_id = PublicIdField()
    reviewer = ReviewerSerializer()
    rating = serializers.IntegerField()
    title = serializers.CharField()
    comment = serializers.CharField()
    is_verified_purchase = serializers.BooleanField()
    helpful_count = serializers.IntegerField()
    seller_reply = serializers.CharField()
    seller_replied_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class HelpfulVoteSerializer(serializers.Serializer):
    helpful_count = serializers.IntegerField()
    voted = serializers.BooleanField()


def review_data(review):
    """The Review object of contract §5.5 (plus helpful count and the seller's reply)."""
    return {
        "id": public_id(review.id),
        "product_id": public_id(review.product_id),
        "reviewer": {"id": str(review.reviewer_id), "username": review.reviewer.username},
        "rating": review.rating,
        "title": review.title,
        "comment": review.comment,
        "is_verified_purchase": review.is_verified_purchase,
        "helpful_count": review.helpful_count,
        "seller_reply": review.seller_reply,
        "seller_replied_at": review.seller_replied_at.isoformat() if review.seller_replied_at else None,
        "created_at": review.created_at.isoformat(),
        "updated_at": review.updated_at.isoformat(),
    }
