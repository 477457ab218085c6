"""``POST /api/payments/stripe_webhook/``: Stripe's platform events."""

import logging
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.errors import ApplicationError, ServiceUnavailableError
from designiaBackend.observability import metrics
from infrastructure.payments import InvalidWebhookSignature, PaymentProviderUnavailable, construct_event
from payment_system.webhooks.services import webhook_event_process

logger = logging.getLogger(__name__)


class InvalidSignature(ApplicationError):
    code = "invalid_signature"
    default_message = "Invalid webhook signature."


class RawBodyParser(BaseParser):
    """The signature covers the exact bytes, so the body is never parsed by DRF."""

    media_type = "*/*"

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> bytes:
        return stream.read()


class WebhookAckSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField()


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes = [RawBodyParser]
    throttle_classes: list[type] = []

    @extend_schema(
        tags=["payments"],
        request={"application/json": {"type": "object"}},
        responses={
            200: WebhookAckSerializer,
            400: OpenApiResponse(description="Bad or missing Stripe-Signature"),
            503: OpenApiResponse(description="Transient failure: Stripe retries"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = request.body
        try:
            event = construct_event(
                payload, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
            )
        except InvalidWebhookSignature:
            metrics.WEBHOOK_EVENTS.labels(type="unknown", outcome="invalid_signature").inc()
            raise InvalidSignature() from None
        try:
            outcome = webhook_event_process(event=event)
        except (DatabaseError, PaymentProviderUnavailable) as exc:
            metrics.WEBHOOK_EVENTS.labels(type=event.type, outcome="failed").inc()
            logger.warning("Stripe event %s failed transiently: %s", event.id, exc)
            raise ServiceUnavailableError("The event could not be processed now; retry later.") from exc
        return Response({"received": True, "outcome": outcome})
