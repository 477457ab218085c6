from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.permissions import IsSeller
from marketplace.analytics.selectors import PERIODS, seller_analytics
from marketplace.analytics.serializers import AnalyticsQuerySerializer, SellerAnalyticsSerializer


class SellerAnalyticsView(APIView):
    """E44: the seller dashboard's numbers for ``period`` (today, week, month, year, all)."""

    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["seller"],
        parameters=[OpenApiParameter("period", str, enum=list(PERIODS), default="month")],
        responses={
            200: SellerAnalyticsSerializer,
            400: OpenApiResponse(description="Unknown period"),
            403: OpenApiResponse(description="Not a seller"),
        },
    )
    def get(self, request):
        query = AnalyticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = seller_analytics(seller=request.user, period=query.validated_data["period"])
        return Response(SellerAnalyticsSerializer(data).data)
