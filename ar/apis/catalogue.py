"""The paginated catalogue of products that have a 3D model (for the mobile app's AR tab)."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

from ar import selectors, serializers
from ar.apis.common import ModelFormatNegotiation, error_response


class ARProductListView(GenericAPIView):
    content_negotiation_class = ModelFormatNegotiation
    permission_classes = [AllowAny]
    serializer_class = serializers.ARProductSerializer

    @extend_schema(
        operation_id="ar_product_list",
        parameters=[serializers.ARProductListQuerySerializer],
        responses={
            200: serializers.ARProductSerializer(many=True),
            400: error_response("Invalid filter."),
            404: error_response("Page out of range."),
        },
    )
    def get(self, request):
        query = serializers.ARProductListQuerySerializer(
            data={
                "category": request.query_params.getlist("category"),
                **({"format": request.query_params["format"]} if "format" in request.query_params else {}),
            }
        )
        query.is_valid(raise_exception=True)
        products = selectors.ar_product_list(
            category_slugs=query.validated_data.get("category", []),
            model_format=query.validated_data.get("format"),
        )
        page = self.paginate_queryset(products)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
