"""Seller Stripe Connect endpoints (contract E51–E55) and the Connect webhook."""

import logging

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.exceptions import error_body
from designiaBackend.api.permissions import IsSeller
from designiaBackend.observability import metrics
from infrastructure.payments import InvalidWebhookSignature
from infrastructure.payments.connect import construct_connect_event
from payment_system.connect import serializers
from payment_system.connect.selectors import connect_account_status_for_seller
from payment_system.connect.services import (
    connect_account_create,
    connect_account_link_create,
    connect_account_refresh,
    connect_account_session_create,
)
from payment_system.connect.webhooks import connect_webhook_event_receive

logger = logging.getLogger(__name__)

_ERROR = OpenApiResponse(description="`{detail, error, code}` (contract §3.2)")
_SELLER_ERRORS = {401: _ERROR, 403: _ERROR}
_STRIPE_ERRORS = {502: _ERROR, 503: _ERROR}


class SellerAPIView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]


class StripeAccountApi(SellerAPIView):
    @extend_schema(
        operation_id="stripe_account_retrieve",
        responses={200: serializers.StripeAccountSerializer, 404: _ERROR, **_SELLER_ERRORS, **_STRIPE_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """E51: the seller's connected account, read from Stripe and synced; 404 when none (C10)."""
        account = connect_account_refresh(seller=request.user)
        return Response(serializers.StripeAccountSerializer(account).data)

    @extend_schema(
        operation_id="stripe_account_create",
        request=None,
        responses={
            200: serializers.StripeAccountCreatedSerializer,
            201: serializers.StripeAccountCreatedSerializer,
            400: _ERROR,
            **_SELLER_ERRORS,
            **_STRIPE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        """E52: create the seller's connected account (200 when it already exists)."""
        account, created = connect_account_create(seller=request.user)
        return Response(
            {"account_id": account.stripe_account_id},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class StripeAccountSessionApi(SellerAPIView):
    @extend_schema(
        operation_id="stripe_account_session_create",
        request=None,
        responses={
            200: serializers.StripeAccountSessionSerializer,
            404: _ERROR,
            **_SELLER_ERRORS,
            **_STRIPE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        """E53: an Account Session for Stripe's embedded onboarding component."""
        session = connect_account_session_create(seller=request.user)
        return Response({"client_secret": session.client_secret})


class StripeAccountStatusApi(SellerAPIView):
    @extend_schema(
        operation_id="stripe_account_status",
        responses={200: serializers.StripeAccountStatusSerializer, **_SELLER_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """E54: onboarding state and eligibility for the dashboard alert (C11)."""
        return Response(connect_account_status_for_seller(seller=request.user))


class StripeAccountLinkApi(SellerAPIView):
    @extend_schema(
        operation_id="stripe_account_link_create",
        request=serializers.StripeAccountLinkInputSerializer,
        responses={
            200: serializers.StripeAccountLinkSerializer,
            400: _ERROR,
            404: _ERROR,
            **_SELLER_ERRORS,
            **_STRIPE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        """E55: a hosted Account Link for the seller's own account (C12)."""
        params = serializers.StripeAccountLinkInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        link = connect_account_link_create(
            seller=request.user,
            account_id=data.get("account_id"),
            refresh_url=data.get("refresh_url"),
            return_url=data.get("return_url"),
            link_type=data["type"],
        )
        return Response({"url": link.url})


class StripeConnectWebhookApi(APIView):
    """Stripe → Designia: Connect events, signed with ``STRIPE_CONNECT_WEBHOOK_SECRET``.

    No authentication (and so no CSRF): the signature is the authentication.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="stripe_connect_webhook",
        request={"application/json": {"type": "object"}},
        responses={200: serializers.ConnectWebhookReceivedSerializer, 400: _ERROR},
    )
    def post(self, request: Request) -> Response:
        try:
            event = construct_connect_event(
                request.body, request.headers.get("Stripe-Signature"), settings.STRIPE_CONNECT_WEBHOOK_SECRET
            )
        except InvalidWebhookSignature as exc:
            metrics.WEBHOOK_EVENTS.labels(type="unknown", outcome="invalid_signature").inc()
            logger.warning("Rejected a Connect webhook: %s", exc)
            return Response(
                error_body("Invalid webhook signature.", "invalid_signature"),
                status=status.HTTP_400_BAD_REQUEST,
            )
        record, created = connect_webhook_event_receive(event=event)
        metrics.WEBHOOK_EVENTS.labels(
            type=event.type, outcome=record.outcome if created else "duplicate"
        ).inc()
        return Response({"received": True, "duplicate": not created})
