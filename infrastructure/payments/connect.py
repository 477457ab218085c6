"""Stripe Connect: sellers' connected accounts, onboarding sessions and links, Connect webhooks.

The rest of the code talks to a ``ConnectGateway`` and receives plain dataclasses; only this module
knows the ``stripe`` library. The implementation follows ``PAYMENT_GATEWAY``: ``stripe`` talks to
Stripe's API (or to ``STRIPE_API_BASE``, e.g. a fake in tests), ``dummy`` is the embedded default
for ``make run``: it answers locally and treats onboarding as completed at once.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

import stripe
from django.conf import settings

from infrastructure.payments.stripe import stripe_client
from infrastructure.payments.webhooks import construct_event

logger = logging.getLogger(__name__)

T = TypeVar("T")


# --- plain data in and out -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectAccountData:
    id: str
    business_name: str = ""
    email: str = ""
    country: str = ""
    default_currency: str = ""
    details_submitted: bool = False
    charges_enabled: bool = False
    payouts_enabled: bool = False
    currently_due: list[str] = field(default_factory=list)
    past_due: list[str] = field(default_factory=list)
    disabled_reason: str = ""


@dataclass(frozen=True)
class AccountSessionData:
    client_secret: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AccountLinkData:
    url: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class PayoutData:
    id: str
    amount_minor: int
    currency: str
    status: str
    arrival_date: date | None = None
    method: str = ""
    failure_code: str = ""
    failure_message: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class ConnectEvent:
    """A verified Connect webhook event. ``payload`` is the event exactly as Stripe sent it."""

    id: str
    type: str
    account: str
    created_at: datetime
    livemode: bool
    object: dict[str, Any]
    payload: dict[str, Any]


# --- errors -------------------------------------------------------------------------------------------


class ConnectGatewayError(Exception):
    """Stripe refused or failed a Connect call. ``retryable`` separates outages from refusals."""

    retryable = False


class ConnectProviderUnavailable(ConnectGatewayError):
    """Network failure, timeout, rate limit or a 5xx from Stripe: worth trying again later."""

    retryable = True


class ConnectRequestRejected(ConnectGatewayError):
    """Stripe answered but refused the request (invalid parameters, missing account, auth)."""


# --- the interface ------------------------------------------------------------------------------------


class ConnectGateway(Protocol):
    def create_account(
        self, *, email: str, business_name: str, seller_id: str, idempotency_key: str
    ) -> ConnectAccountData: ...

    def retrieve_account(self, account_id: str) -> ConnectAccountData: ...

    def create_account_session(self, *, account_id: str) -> AccountSessionData: ...

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str, link_type: str
    ) -> AccountLinkData: ...


def get_connect_gateway() -> ConnectGateway:
    if settings.PAYMENT_GATEWAY == "stripe":
        return StripeConnectGateway()
    if settings.PAYMENT_GATEWAY == "dummy":
        return DummyConnectGateway()
    raise ValueError(f"Unknown PAYMENT_GATEWAY {settings.PAYMENT_GATEWAY!r}")


# --- Stripe ---------------------------------------------------------------------------------------------


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _plain(obj: stripe.StripeObject) -> dict[str, Any]:
    """A StripeObject as plain nested dicts."""
    return obj.to_dict()


def account_from_stripe(data: dict[str, Any]) -> ConnectAccountData:
    """Map a Stripe Account object (a dict, e.g. from a webhook payload) to ``ConnectAccountData``."""
    requirements = data.get("requirements") or {}
    business_profile = data.get("business_profile") or {}
    return ConnectAccountData(
        id=data["id"],
        business_name=business_profile.get("name") or "",
        email=data.get("email") or "",
        country=data.get("country") or "",
        default_currency=(data.get("default_currency") or "").upper(),
        details_submitted=bool(data.get("details_submitted")),
        charges_enabled=bool(data.get("charges_enabled")),
        payouts_enabled=bool(data.get("payouts_enabled")),
        currently_due=list(requirements.get("currently_due") or []),
        past_due=list(requirements.get("past_due") or []),
        disabled_reason=requirements.get("disabled_reason") or "",
    )


def payout_from_stripe(data: dict[str, Any]) -> PayoutData:
    """Map a Stripe Payout object (a dict from a webhook payload) to ``PayoutData``."""
    arrival = _timestamp(data.get("arrival_date"))
    return PayoutData(
        id=data["id"],
        amount_minor=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        status=data.get("status") or "pending",
        arrival_date=arrival.date() if arrival else None,
        method=data.get("method") or "",
        failure_code=data.get("failure_code") or "",
        failure_message=data.get("failure_message") or "",
        created_at=_timestamp(data.get("created")),
    )


def _translate_stripe_error(exc: stripe.StripeError) -> ConnectGatewayError:
    message = getattr(exc, "user_message", None) or str(exc) or "Stripe request failed."
    status = getattr(exc, "http_status", None) or 0
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError) or status >= 500:
        logger.warning("Stripe Connect unavailable: %s", exc)
        return ConnectProviderUnavailable(message)
    logger.warning("Stripe Connect refused a request: %s", exc)
    return ConnectRequestRejected(message)


class StripeConnectGateway:
    def __init__(self, client: stripe.StripeClient | None = None) -> None:
        self._client = client or stripe_client()

    def _call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as exc:
            raise _translate_stripe_error(exc) from exc

    def create_account(
        self, *, email: str, business_name: str, seller_id: str, idempotency_key: str
    ) -> ConnectAccountData:
        params: dict[str, Any] = {
            # Controller properties equivalent to an Express account: Stripe collects the
            # requirements, the seller gets the Express dashboard, the platform pays the fees.
            "controller": {
                "stripe_dashboard": {"type": "express"},
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
                "requirement_collection": "stripe",
            },
            "capabilities": {"transfers": {"requested": True}},
            "email": email,
            "metadata": {"seller_id": seller_id},
        }
        if business_name:
            params["business_profile"] = {"name": business_name}
        account = self._call(
            self._client.v1.accounts.create, params=params, options={"idempotency_key": idempotency_key}
        )
        return account_from_stripe(_plain(account))

    def retrieve_account(self, account_id: str) -> ConnectAccountData:
        return account_from_stripe(_plain(self._call(self._client.v1.accounts.retrieve, account_id)))

    def create_account_session(self, *, account_id: str) -> AccountSessionData:
        params: dict[str, Any] = {
            "account": account_id,
            "components": {
                "account_onboarding": {
                    "enabled": True,
                    "features": {"external_account_collection": True},
                }
            },
        }
        session = _plain(self._call(self._client.v1.account_sessions.create, params=params))
        return AccountSessionData(
            client_secret=session["client_secret"], expires_at=_timestamp(session.get("expires_at"))
        )

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str, link_type: str
    ) -> AccountLinkData:
        params: dict[str, Any] = {
            "account": account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": link_type,
        }
        link = _plain(self._call(self._client.v1.account_links.create, params=params))
        return AccountLinkData(url=link["url"], expires_at=_timestamp(link.get("expires_at")))


# --- Dummy (embedded default) ------------------------------------------------------------------------------


class DummyConnectGateway:
    """No network. Accounts get a deterministic id from the idempotency key and count as fully
    onboarded when read back, so a demo seller can go through the whole flow with ``make run``."""

    def create_account(
        self, *, email: str, business_name: str, seller_id: str, idempotency_key: str
    ) -> ConnectAccountData:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        return ConnectAccountData(
            id=f"acct_dummy{digest}",
            business_name=business_name,
            email=email,
            country="US",
            default_currency="USD",
            currently_due=["external_account"],
        )

    def retrieve_account(self, account_id: str) -> ConnectAccountData:
        return ConnectAccountData(
            id=account_id,
            business_name="",
            country="US",
            default_currency="USD",
            details_submitted=True,
            charges_enabled=True,
            payouts_enabled=True,
        )

    def create_account_session(self, *, account_id: str) -> AccountSessionData:
        digest = hashlib.sha256(f"{account_id}:{datetime.now(tz=UTC).isoformat()}".encode()).hexdigest()
        return AccountSessionData(client_secret=f"accs_dummy_secret_{digest[:24]}")

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str, link_type: str
    ) -> AccountLinkData:
        # Nothing to fill in: "onboarding" ends at once on the return page.
        return AccountLinkData(url=return_url)


# --- webhooks -------------------------------------------------------------------------------------------


def construct_connect_event(payload: bytes, signature: str | None, secret: str) -> ConnectEvent:
    """Verify a Connect webhook (``construct_event``, shared with the platform webhooks) and return
    it with the payload as Stripe sent it. Raises ``InvalidWebhookSignature``."""
    event = construct_event(payload, signature, secret)
    body = json.loads(payload)
    return ConnectEvent(
        id=event.id,
        type=event.type,
        account=str(event.account or ""),
        created_at=_timestamp(event.created) or datetime.now(tz=UTC),
        livemode=bool(body.get("livemode")),
        object=event.data,
        payload=body,
    )
