from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.throttling import UserScopeRateThrottle
from marketplace.shipping.serializers import CountryField
from payment_system.checkout.services import checkout_retry, checkout_start

if TYPE_CHECKING:
    from marketplace.ordering.models import Order


ERROR = OpenApiResponse(description="Error: `{detail, error, code}`")


class ClientSecretSerializer(serializers.Serializer):
    clientSecret = serializers.CharField()  # noqa: N815 (contract E37)
    client_secret = serializers.CharField()
    order_id = serializers.UUIDField()


def _secret_response(order: "Order", client_secret: str) -> Response:
    return Response(
        {"clientSecret": client_secret, "client_secret": client_secret, "order_id": str(order.pk)}
    )


class CheckoutInputSerializer(serializers.Serializer):
    """The body is optional (the web client sends none): ``country`` prices shipping for it."""

    country = CountryField(required=False, default="")


class CheckoutSessionView(APIView):
    """E37: the server cart becomes an order; answers the Embedded Checkout client secret."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [UserScopeRateThrottle]
    throttle_scope = "checkout"  # per user, shared by start and retry

    @extend_schema(
        tags=["payments"],
        request=CheckoutInputSerializer,
        responses={200: ClientSecretSerializer, 400: ERROR, 409: ERROR, 429: ERROR, 502: ERROR, 503: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = CheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order, client_secret = checkout_start(buyer=request.user, country=data.validated_data["country"])
        return _secret_response(order, client_secret)


class CheckoutSessionRetryView(APIView):
    """E39: pay a pending order again (the open session, or a new one)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [UserScopeRateThrottle]
    throttle_scope = "checkout"  # per user, shared by start and retry

    @extend_schema(
        tags=["payments"],
        responses={200: ClientSecretSerializer, 400: ERROR, 404: ERROR, 429: ERROR, 502: ERROR, 503: ERROR},
    )
    def get(self, request: Request, order_id: str) -> Response:
        order, client_secret = checkout_retry(buyer=request.user, order_id=order_id)
        return _secret_response(order, client_secret)
