"""The Stripe gateway: the official ``stripe`` library, a timeout and an idempotency key on every call.

``STRIPE_API_BASE`` points the client at a Stripe-compatible server (stripe-mock, the tests' fake).
"""

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe as stripe_sdk
from django.conf import settings

from infrastructure.payments.base import (
    CheckoutSession,
    CheckoutSessionRequest,
    LineItem,
    PaymentProviderError,
    PaymentProviderUnavailable,
    RefundRequest,
    RefundResult,
)
from infrastructure.payments.money import from_minor, to_minor

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses

RETRYABLE_ERRORS = (stripe_sdk.APIConnectionError, stripe_sdk.RateLimitError, stripe_sdk.APIError)


def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call the SDK; answer a plain (recursive) dict and map errors to retryable or terminal ones."""
    try:
        answer: dict[str, Any] = method(*args, **kwargs).to_dict()
        return answer
    except RETRYABLE_ERRORS as exc:
        raise PaymentProviderUnavailable(str(exc)) from exc
    except stripe_sdk.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc


def _session(obj: dict[str, Any]) -> CheckoutSession:
    currency = obj.get("currency") or ""
    amount = obj.get("amount_total")
    return CheckoutSession(
        id=obj["id"],
        client_secret=obj.get("client_secret") or "",
        status=obj.get("status") or "",
        payment_status=obj.get("payment_status") or "",
        amount_total=from_minor(amount, currency) if amount is not None and currency else None,
        currency=currency,
    )


def stripe_client() -> stripe_sdk.StripeClient:
    """The platform's Stripe client (API base overridable for the test server, bounded retries)."""
    base: BaseAddresses | None = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe_sdk.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        http_client=stripe_sdk.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        max_network_retries=2,
    )


def _line_item(item: LineItem, currency: str) -> dict[str, Any]:
    price_data: dict[str, Any] = {
        "currency": currency,
        "unit_amount": to_minor(item.unit_amount, currency),
        "product_data": {"name": item.name, **({"images": [item.image_url]} if item.image_url else {})},
    }
    if item.tax_behavior:
        price_data["tax_behavior"] = item.tax_behavior
    return {"quantity": item.quantity, "price_data": price_data}


def checkout_session_params(request: CheckoutSessionRequest) -> dict[str, Any]:
    """The Checkout Session's parameters: every amount an integer of minor units (``to_minor``
    refuses a fraction of one); Stripe Tax on when the request asks for automatic tax."""
    currency = request.currency.lower()
    params: dict[str, Any] = {
        "ui_mode": "embedded",
        "mode": "payment",
        "return_url": request.return_url,
        "client_reference_id": request.reference,
        "customer_email": request.customer_email,
        "metadata": {"order_id": request.reference, **request.metadata},
        "payment_intent_data": {"metadata": {"order_id": request.reference}},
        "line_items": [_line_item(item, currency) for item in request.line_items],
    }
    if request.automatic_tax:
        params["automatic_tax"] = {"enabled": True}
    if request.shipping_countries:
        params["shipping_address_collection"] = {"allowed_countries": list(request.shipping_countries)}
    if request.expires_at:
        params["expires_at"] = request.expires_at
    if request.locale:
        params["locale"] = request.locale
    return params


class StripeGateway:
    name = "stripe"

    def __init__(self) -> None:
        self.client = stripe_client()

    def create_checkout_session(self, request: CheckoutSessionRequest) -> CheckoutSession:
        obj = _call(
            self.client.v1.checkout.sessions.create,
            checkout_session_params(request),
            {"idempotency_key": request.idempotency_key},
        )
        return _session(obj)

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        return _session(_call(self.client.v1.checkout.sessions.retrieve, session_id))

    def expire_checkout_session(self, session_id: str, *, idempotency_key: str) -> CheckoutSession:
        try:
            obj = self.client.v1.checkout.sessions.expire(
                session_id, None, {"idempotency_key": idempotency_key}
            ).to_dict()
        except stripe_sdk.InvalidRequestError:
            # Only open sessions can expire: report the state the session is in instead.
            return self.retrieve_checkout_session(session_id)
        except RETRYABLE_ERRORS as exc:
            raise PaymentProviderUnavailable(str(exc)) from exc
        except stripe_sdk.StripeError as exc:
            raise PaymentProviderError(str(exc)) from exc
        return _session(obj)

    def create_refund(self, request: RefundRequest) -> RefundResult:
        currency = request.currency.lower()
        params = {
            "payment_intent": request.payment_intent_id,
            "amount": to_minor(request.amount, currency),
            "reason": request.reason,
            "metadata": request.metadata,
        }
        obj = _call(self.client.v1.refunds.create, params, {"idempotency_key": request.idempotency_key})
        return RefundResult(id=obj["id"], status=obj.get("status") or "pending", amount=request.amount)

    def payment_fee(self, payment_intent_id: str, currency: str) -> Decimal | None:
        intent = _call(
            self.client.v1.payment_intents.retrieve,
            payment_intent_id,
            {"expand": ["latest_charge.balance_transaction"]},
        )
        charge = intent.get("latest_charge")
        balance = charge.get("balance_transaction") if isinstance(charge, dict) else None
        if not isinstance(balance, dict) or str(balance.get("currency", "")).lower() != currency.lower():
            return None
        return from_minor(balance.get("fee") or 0, currency)
