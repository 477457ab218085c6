"""Payment providers behind one interface (``base.PaymentGateway``), chosen by ``PAYMENT_GATEWAY``.

- ``stripe``: the real Stripe API (``infrastructure.payments.stripe``);
- ``dummy``: an offline gateway for ``make run`` whose payments complete through the same
  webhook-processing code (``infrastructure.payments.dummy``).

``construct_event`` verifies a Stripe webhook signature for every webhook endpoint.
"""

from django.conf import settings

from infrastructure.payments.base import (  # noqa: F401
    CheckoutSession,
    CheckoutSessionRequest,
    InvalidWebhookSignature,
    LineItem,
    PaymentGateway,
    PaymentProviderError,
    PaymentProviderUnavailable,
    RefundRequest,
    RefundResult,
    WebhookEvent,
)
from infrastructure.payments.money import from_minor, to_minor  # noqa: F401
from infrastructure.payments.webhooks import construct_event  # noqa: F401

__all__ = [
    "CheckoutSession",
    "CheckoutSessionRequest",
    "InvalidWebhookSignature",
    "LineItem",
    "PaymentGateway",
    "PaymentProviderError",
    "PaymentProviderUnavailable",
    "RefundRequest",
    "RefundResult",
    "WebhookEvent",
    "from_minor",
    "to_minor",
    "construct_event",
    "get_gateway",
]


def get_gateway() -> PaymentGateway:
    if settings.PAYMENT_GATEWAY == "stripe":
        from infrastructure.payments.stripe import StripeGateway

        return StripeGateway()
    if settings.PAYMENT_GATEWAY == "dummy":
        from infrastructure.payments.dummy import DummyGateway

        return DummyGateway()
    raise ValueError(f"Unknown PAYMENT_GATEWAY {settings.PAYMENT_GATEWAY!r}")
