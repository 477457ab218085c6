"""Stripe Connect money movement: transfers to sellers' accounts, transfer reversals, charge ids
and balance transactions (reconciliation).

Plain dataclasses in and out, Decimal amounts in the major unit (converted to minor units here).
Errors are ``PaymentProviderUnavailable`` (retry: network, timeout, rate limit, 5xx) or
``PaymentProviderError`` (terminal: Stripe refused the request). The implementation follows
``PAYMENT_GATEWAY``: ``stripe`` (the real API or ``STRIPE_API_BASE``) or ``dummy`` (offline).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import stripe as stripe_sdk
from django.conf import settings

from infrastructure.payments.base import PaymentProviderError, PaymentProviderUnavailable
from infrastructure.payments.money import from_minor, to_minor
from infrastructure.payments.stripe import stripe_client

T = TypeVar("T")
Metadata = dict[str, str]  # Stripe metadata: string keys and values

RETRYABLE_ERRORS = (stripe_sdk.APIConnectionError, stripe_sdk.RateLimitError, stripe_sdk.APIError)


@dataclass(frozen=True)
class TransferRequest:
    amount: Decimal
    currency: str
    destination: str  # the connected account id (acct_...)
    transfer_group: str  # our order id
    idempotency_key: str
    source_transaction: str = ""  # the charge (ch_...) whose funds are transferred
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True)
class TransferResult:
    id: str
    amount: Decimal
    currency: str
    destination: str


@dataclass(frozen=True)
class ReversalResult:
    id: str
    transfer_id: str
    amount: Decimal


@dataclass(frozen=True)
class BalanceTransaction:
    id: str
    type: str  # charge | payment | transfer | transfer_refund | refund | payout | ...
    source: str  # the id of the object that caused it (ch_..., tr_..., trr_..., re_...)
    amount: int  # minor units, signed as Stripe gives it
    currency: str  # upper case
    created: datetime
    payment_intent: str = ""  # for charges: the PaymentIntent the charge belongs to


class TransferGateway(Protocol):
    def create_transfer(self, request: TransferRequest) -> TransferResult: ...

    def create_reversal(
        self, *, transfer_id: str, amount: Decimal, currency: str, idempotency_key: str, metadata: Metadata
    ) -> ReversalResult: ...

    def charge_id_for_payment_intent(self, payment_intent_id: str) -> str: ...

    def balance_transactions(
        self, *, created_from: datetime, created_to: datetime
    ) -> list[BalanceTransaction]: ...


def get_transfer_gateway() -> TransferGateway:
    if settings.PAYMENT_GATEWAY == "stripe":
        return StripeTransferGateway()
    if settings.PAYMENT_GATEWAY == "dummy":
        return DummyTransferGateway()
    raise ValueError(f"Unknown PAYMENT_GATEWAY {settings.PAYMENT_GATEWAY!r}")


def _call(method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return method(*args, **kwargs)
    except RETRYABLE_ERRORS as exc:
        raise PaymentProviderUnavailable(str(exc)) from exc
    except stripe_sdk.StripeError as exc:
        status = getattr(exc, "http_status", None) or 0
        if status >= 500 or status == 429:
            raise PaymentProviderUnavailable(str(exc)) from exc
        raise PaymentProviderError(str(exc)) from exc


def _balance_transaction(obj: dict[str, Any]) -> BalanceTransaction:
    source = obj.get("source") or ""
    payment_intent = ""
    if isinstance(source, dict):  # expanded (``expand[]=data.source``)
        payment_intent = source.get("payment_intent") or ""
        if isinstance(payment_intent, dict):
            payment_intent = payment_intent.get("id") or ""
        source = source.get("id") or ""
    return BalanceTransaction(
        id=obj["id"],
        type=obj.get("type") or "",
        source=str(source),
        amount=int(obj.get("amount") or 0),
        currency=str(obj.get("currency") or "").upper(),
        created=datetime.fromtimestamp(int(obj.get("created") or 0), tz=UTC),
        payment_intent=str(payment_intent),
    )


class StripeTransferGateway:
    def __init__(self) -> None:
        self.client = stripe_client()

    def create_transfer(self, request: TransferRequest) -> TransferResult:
        currency = request.currency.lower()
        params: dict[str, Any] = {
            "amount": to_minor(request.amount, currency),
            "currency": currency,
            "destination": request.destination,
            "transfer_group": request.transfer_group,
            "metadata": request.metadata,
        }
        if request.source_transaction:
            params["source_transaction"] = request.source_transaction
        obj = _call(
            self.client.v1.transfers.create, params, {"idempotency_key": request.idempotency_key}
        ).to_dict()
        return TransferResult(
            id=obj["id"],
            amount=from_minor(obj.get("amount", params["amount"]), currency),
            currency=currency.upper(),
            destination=str(obj.get("destination") or request.destination),
        )

    def create_reversal(
        self, *, transfer_id: str, amount: Decimal, currency: str, idempotency_key: str, metadata: Metadata
    ) -> ReversalResult:
        params = {"amount": to_minor(amount, currency.lower()), "metadata": metadata}
        obj = _call(
            self.client.v1.transfers.reversals.create,
            transfer_id,
            params,
            {"idempotency_key": idempotency_key},
        ).to_dict()
        return ReversalResult(
            id=obj["id"], transfer_id=transfer_id, amount=from_minor(obj.get("amount", 0), currency.lower())
        )

    def charge_id_for_payment_intent(self, payment_intent_id: str) -> str:
        intent = _call(self.client.v1.payment_intents.retrieve, payment_intent_id).to_dict()
        charge = intent.get("latest_charge") or ""
        return charge.get("id", "") if isinstance(charge, dict) else str(charge)

    def balance_transactions(
        self, *, created_from: datetime, created_to: datetime
    ) -> list[BalanceTransaction]:
        params: dict[str, Any] = {
            "created": {"gte": int(created_from.timestamp()), "lt": int(created_to.timestamp())},
            "limit": 100,
            "expand": ["data.source"],
        }
        page = _call(self.client.v1.balance_transactions.list, params)
        return [_balance_transaction(obj.to_dict()) for obj in _call(lambda: list(page.auto_paging_iter()))]


class DummyTransferGateway:
    """No network: deterministic ids from the idempotency keys; no balance history to compare."""

    def create_transfer(self, request: TransferRequest) -> TransferResult:
        return TransferResult(
            id=f"tr_dummy_{uuid.uuid5(uuid.NAMESPACE_URL, request.idempotency_key).hex}",
            amount=request.amount,
            currency=request.currency.upper(),
            destination=request.destination,
        )

    def create_reversal(
        self, *, transfer_id: str, amount: Decimal, currency: str, idempotency_key: str, metadata: Metadata
    ) -> ReversalResult:
        reversal_id = f"trr_dummy_{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex}"
        return ReversalResult(id=reversal_id, transfer_id=transfer_id, amount=amount)

    def charge_id_for_payment_intent(self, payment_intent_id: str) -> str:
        return ""

    def balance_transactions(
        self, *, created_from: datetime, created_to: datetime
    ) -> list[BalanceTransaction]:
        return []
