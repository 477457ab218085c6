from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import page_of, paginated
from marketplace.catalog.display_currency import CURRENCY_PARAMETER, display_currency_for
from marketplace.catalog.http.renderers import ORJSONRenderer
from marketplace.catalog.products import presenters
from marketplace.catalog.products.selectors import product_get_public
from marketplace.catalog.products.serializers import ProductListItemSerializer
from marketplace.favorites.selectors import favorite_products_for_user
from marketplace.favorites.services import favorite_toggle


class FavoriteStateSerializer(serializers.Serializer):
    is_favorited = serializers.BooleanField()
    favorite_count = serializers.IntegerField()


class FavoriteListView(APIView):
    """The caller's favorite products, paginated like E22."""

    renderer_classes = [ORJSONRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int), CURRENCY_PARAMETER],
        responses={
            200: page_of(ProductListItemSerializer),
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        display = display_currency_for(request)
        products = favorite_products_for_user(user=request.user)
        response = paginated(request, self, products, presenters.product_list_item)
        if display is not None:
            display.apply(response.data["results"])
        return response


class FavoriteToggleView(APIView):
    """Add the product to the caller's favorites, or remove it when it is there."""

    @extend_schema(
        request=None,
        responses={200: FavoriteStateSerializer, 401: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def post(self, request, slug):
        product = product_get_public(slug=slug, user=request.user)
        state = favorite_toggle(user=request.user, product=product)
        return Response({"is_favorited": state.is_favorited, "favorite_count": state.favorite_count})
