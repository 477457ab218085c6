"""Reviews (contract E27–E31), plus the seller's reply and staff moderation."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import page_of, paginated
from designiaBackend.api.permissions import IsStaff
from marketplace.catalog.http.renderers import ORJSONRenderer
from marketplace.catalog.products.selectors import product_get_public
from marketplace.reviews import services
from marketplace.reviews.selectors import review_get, review_list_for_product
from marketplace.reviews.serializers import (
    HelpfulVoteSerializer,
    ReviewListQuerySerializer,
    ReviewModerateSerializer,
    ReviewReplySerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
    review_data,
)

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


class ProductReviewsView(APIView):
    """E27 (list, public) and E28 (create, verified purchasers only)."""

    renderer_classes = [ORJSONRenderer]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[ReviewListQuerySerializer], responses={200: page_of(ReviewSerializer), **ERRORS}
    )
    def get(self, request, slug):
        query = ReviewListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        product = product_get_public(slug=slug)
        reviews = review_list_for_product(product=product, ordering=query.validated_data["ordering"])
        return paginated(request, self, reviews, review_data)

    @extend_schema(request=ReviewWriteSerializer, responses={201: ReviewSerializer, **ERRORS})
    def post(self, request, slug):
        product = product_get_public(slug=slug, user=request.user)
        serializer = ReviewWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.review_create(
            product=product,
            reviewer=request.user,
            rating=data["rating"],
            title=data.get("title", ""),
            comment=data["comment"],
        )
        return Response(review_data(review), status=status.HTTP_201_CREATED)


class ReviewDetailView(APIView):
    """E29 (author edits) and E30 (author, or staff, deletes)."""

    @extend_schema(request=ReviewWriteSerializer, responses={200: ReviewSerializer, **ERRORS})
    def patch(self, request, review_id):
        review = review_get(review_id=review_id)
        serializer = ReviewWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review = services.review_update(review=review, user=request.user, data=serializer.validated_data)
        return Response(review_data(review))

    @extend_schema(
        responses={204: None, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}
    )
    def delete(self, request, review_id):
        services.review_delete(review=review_get(review_id=review_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewHelpfulView(APIView):
    """E31: toggles the caller's "helpful" vote: ``{helpful_count, voted}``."""

    @extend_schema(request=None, responses={200: HelpfulVoteSerializer, **ERRORS})
    def post(self, request, review_id):
        review, voted = services.review_toggle_helpful(
            review=review_get(review_id=review_id), user=request.user
        )
        return Response({"helpful_count": review.helpful_count, "voted": voted})


class ReviewReplyView(APIView):
    """The product's seller answers a review."""

    @extend_schema(request=ReviewReplySerializer, responses={200: ReviewSerializer, **ERRORS})
    def post(self, request, review_id):
        serializer = ReviewReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_reply(
            review=review_get(review_id=review_id),
            seller=request.user,
            text=serializer.validated_data["text"],
        )
        return Response(review_data(review))


class ReviewModerateView(APIView):
    """Staff hide a review or show it again."""

    permission_classes = [IsStaff]

    @extend_schema(request=ReviewModerateSerializer, responses={200: ReviewSerializer, **ERRORS})
    def post(self, request, review_id):
        serializer = ReviewModerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_moderate(
            review=review_get(review_id=review_id),
            moderator=request.user,
            hidden=serializer.validated_data["action"] == "hide",
            note=serializer.validated_data["note"],
        )
        return Response(review_data(review))
