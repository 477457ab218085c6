from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import PagePagination, page_of
from marketplace.catalog.display_currency import CURRENCY_PARAMETER, display_currency_for
from marketplace.catalog.http.renderers import ORJSONRenderer
from marketplace.catalog.products import presenters
from marketplace.catalog.products.serializers import ProductListItemSerializer
from marketplace.storefront.selectors import storefront_get, storefront_products


class StorefrontSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    shop_name = serializers.CharField()
    shop_logo = serializers.URLField(allow_null=True)
    avatar = serializers.URLField(allow_null=True)
    bio = serializers.CharField()
    location = serializers.CharField()
    website = serializers.CharField()
    seller_rating = serializers.CharField()
    review_count = serializers.IntegerField()
    product_count = serializers.IntegerField()
    in_stock_count = serializers.IntegerField()
    member_since = serializers.DateTimeField()
    products = page_of(ProductListItemSerializer)()


class StorefrontView(APIView):
    """``GET /api/marketplace/sellers/{user_id}/``: a seller's public page and active products.

    Never shows an e-mail address, phone number or postal address.
    """

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int), CURRENCY_PARAMETER],
        responses={
            200: StorefrontSerializer,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, user_id):
        display = display_currency_for(request)
        storefront = storefront_get(seller_id=user_id)
        paginator = PagePagination()
        page = paginator.paginate_queryset(storefront_products(seller_id=user_id), request, view=self)
        products = paginator.get_paginated_response([presenters.product_list_item(p) for p in page]).data
        if display is not None:
            display.apply(products["results"])
        return Response({**storefront, "products": products})
