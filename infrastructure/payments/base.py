"""The payment provider interface: plain dataclasses in and out, Decimal amounts.

Callers never see a vendor object. Amounts cross this interface as ``Decimal`` in the major unit;
the Stripe adapter converts them to integer minor units at its boundary (``money.to_minor``).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol


class PaymentProviderError(Exception):
    """The provider refused the request (bad parameters, a state that forbids it): do not retry."""


class PaymentProviderUnavailable(PaymentProviderError):
    """The provider could not be reached or failed on its side (network, timeout, 5xx): retry."""


class InvalidWebhookSignature(Exception):
    """A webhook body whose ``Stripe-Signature`` does not match the secret (or is malformed)."""


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount: Decimal
    quantity: int
    image_url: str | None = None
    # With automatic tax: "inclusive" (the price contains the tax) or "exclusive"; "" says nothing.
    tax_behavior: str = ""


@dataclass(frozen=True)
class CheckoutSessionRequest:
    reference: str  # our order id: metadata and client_reference_id
    currency: str
    line_items: list[LineItem]
    customer_email: str
    return_url: str
    idempotency_key: str
    expires_at: int | None = None  # unix time
    shipping_countries: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    locale: str = ""  # the buyer's language for the hosted page ("" lets the provider choose)
    # The provider computes and adds the tax (Stripe Tax) from the address entered on its page.
    automatic_tax: bool = False


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    client_secret: str
    status: str  # open | complete | expired
    payment_status: str = "unpaid"
    amount_total: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class RefundRequest:
    payment_intent_id: str
    amount: Decimal
    currency: str
    idempotency_key: str
    reason: str = "requested_by_customer"
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str  # pending | succeeded | failed | canceled | requires_action
    amount: Decimal


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    data: dict[str, Any]  # the event's ``data.object``, as sent (amounts in minor units)
    created: int
    account: str | None = None


class PaymentGateway(Protocol):
    name: str

    def create_checkout_session(self, request: CheckoutSessionRequest) -> CheckoutSession: ...

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession: ...

    def expire_checkout_session(self, session_id: str, *, idempotency_key: str) -> CheckoutSession: ...

    def create_refund(self, request: RefundRequest) -> RefundResult: ...

    def payment_fee(self, payment_intent_id: str, currency: str) -> Decimal | None: ...
