from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.alerts.services import stock_alert_subscribe, stock_alert_unsubscribe
from marketplace.catalog.products.selectors import product_get_public


class StockAlertSerializer(serializers.Serializer):
    product_id = serializers.CharField()
    subscribed = serializers.BooleanField()


class StockAlertView(APIView):
    """``products/{slug}/notify_me/``: be told once when an out-of-stock product is restocked."""

    @extend_schema(
        operation_id="products_notify_me_create",
        summary="Subscribe to a back-in-stock alert (in stock or own product: 400)",
        request=None,
        responses={200: StockAlertSerializer, 201: StockAlertSerializer},
    )
    def post(self, request, slug):
        product = product_get_public(slug=slug, user=request.user)
        _, created = stock_alert_subscribe(user=request.user, product=product)
        body = StockAlertSerializer({"product_id": str(product.pk), "subscribed": True}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="products_notify_me_destroy",
        summary="Cancel a pending back-in-stock alert",
        request=None,
        responses={204: None},
    )
    def delete(self, request, slug):
        product = product_get_public(slug=slug, user=request.user)
        stock_alert_unsubscribe(user=request.user, product=product)
        return Response(status=status.HTTP_204_NO_CONTENT)
