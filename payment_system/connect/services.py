"""Writes of sellers' connected accounts: creation, onboarding sessions and links, state sync."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from authentication.selectors import user_get_with_profile
from infrastructure.payments.connect import (
    AccountLinkData,
    AccountSessionData,
    ConnectAccountData,
    ConnectGatewayError,
    get_connect_gateway,
)
from payment_system.connect.exceptions import (
    ConnectAccountMissingError,
    ConnectNotEligibleError,
    InvalidRedirectURLError,
    StripeRequestError,
    StripeUnavailableError,
)
from payment_system.connect.models import StripeConnectAccount
from payment_system.connect.selectors import (
    connect_account_eligibility_errors,
    connect_account_get_for_seller,
)
from payment_system.lock_objects import connect_account_for_update

if TYPE_CHECKING:
    from authentication.models import User


logger = logging.getLogger(__name__)

# Client routes (contract F13): where Stripe sends the seller back after hosted onboarding.
T = TypeVar("T")
ONBOARDING_RETURN_PATH = "/seller/onboarding/return"
ONBOARDING_REFRESH_PATH = "/seller/onboarding/stripe"


def _gateway_call(method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return method(*args, **kwargs)
    except ConnectGatewayError as exc:
        if exc.retryable:
            raise StripeUnavailableError() from exc
        raise StripeRequestError(f"Stripe refused the request: {exc}") from exc


def _state_fields(data: ConnectAccountData) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "details_submitted": data.details_submitted,
        "charges_enabled": data.charges_enabled,
        "payouts_enabled": data.payouts_enabled,
        "requirements_currently_due": list(data.currently_due),
        "requirements_past_due": list(data.past_due),
        "disabled_reason": data.disabled_reason[:100],
    }
    if data.business_name:
        fields["business_name"] = data.business_name[:200]
    if data.country:
        fields["country"] = data.country[:2]
    if data.default_currency:
        fields["default_currency"] = data.default_currency[:3]
    return fields


def _business_name(seller: User) -> str:
    user = user_get_with_profile(user_id=seller.pk)
    profile = getattr(user, "profile", None)
    return (profile.shop_name if profile else "") or user.full_name or user.username


def connect_account_create(*, seller: User) -> tuple[StripeConnectAccount, bool]:
    """The seller's connected account, created at Stripe on the first call (``created`` True).

    At most one Stripe account per seller: the request carries an idempotency key derived from
    the seller, and the one-to-one row settles two concurrent calls (the loser returns the row).
    No transaction is held open during the HTTP call.
    """
    existing = connect_account_get_for_seller(seller=seller)
    if existing is not None:
        return existing, False
    errors = connect_account_eligibility_errors(user=seller)
    if errors:
        raise ConnectNotEligibleError(" ".join(errors), extra={"eligibility_errors": errors})
    observed_at = timezone.now().replace(microsecond=0)
    data = _gateway_call(
        get_connect_gateway().create_account,
        email=seller.email,
        business_name=_business_name(seller),
        seller_id=str(seller.pk),
        idempotency_key=f"designia-connect-account-{seller.pk}",
    )
    try:
        with transaction.atomic():
            account = StripeConnectAccount.objects.create(
                seller=seller, stripe_account_id=data.id, state_observed_at=observed_at, **_state_fields(data)
            )
    except IntegrityError:
        existing = connect_account_get_for_seller(seller=seller)
        if existing is None:
            raise
        return existing, False
    logger.info("Created Stripe connected account %s for seller %s", data.id, seller.pk)
    return account, True


@transaction.atomic
def connect_account_apply_state(*, account_pk: int, data: ConnectAccountData, observed_at: datetime) -> bool:
    """Store Stripe's state of the account as of ``observed_at``; an older state is ignored.

    Stripe's event times have whole seconds, so times are compared at that resolution and an
    event of the same second as the stored state wins.
    """
    observed_at = observed_at.replace(microsecond=0)
    account = connect_account_for_update(account_pk)
    if account.state_observed_at and observed_at < account.state_observed_at:
        return False
    for name, value in _state_fields(data).items():
        setattr(account, name, value)
    account.state_observed_at = observed_at
    account.save()
    return True


def connect_account_refresh(*, seller: User) -> StripeConnectAccount:
    """Read the seller's account from Stripe and store its state (E51)."""
    account = connect_account_get_for_seller(seller=seller)
    if account is None:
        raise ConnectAccountMissingError()
    observed_at = timezone.now()
    data = _gateway_call(get_connect_gateway().retrieve_account, account.stripe_account_id)
    connect_account_apply_state(account_pk=account.pk, data=data, observed_at=observed_at)
    account.refresh_from_db()
    return account


def connect_account_session_create(*, seller: User) -> AccountSessionData:
    """An Account Session for Stripe's embedded onboarding component (E53)."""
    account = connect_account_get_for_seller(seller=seller)
    if account is None:
        raise ConnectAccountMissingError()
    return _gateway_call(get_connect_gateway().create_account_session, account_id=account.stripe_account_id)


def _allowed_redirect(url: str) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return parts.scheme in ("http", "https") and origin in {
        settings.FRONTEND_URL,
        *settings.CORS_ALLOWED_ORIGINS,
    }


def connect_account_link_create(
    *,
    seller: User,
    account_id: str | None = None,
    refresh_url: str | None = None,
    return_url: str | None = None,
    link_type: str = "account_onboarding",
) -> AccountLinkData:
    """A hosted onboarding (or update) link for the seller's own account (E55).

    The return and refresh URLs must point at the web client (no open redirect through Stripe).
    """
    account = connect_account_get_for_seller(seller=seller)
    if account is None or (account_id and account_id != account.stripe_account_id):
        raise ConnectAccountMissingError()
    refresh_url = refresh_url or f"{settings.FRONTEND_URL}{ONBOARDING_REFRESH_PATH}"
    return_url = return_url or f"{settings.FRONTEND_URL}{ONBOARDING_RETURN_PATH}"
    for url in (refresh_url, return_url):
        if not _allowed_redirect(url):
            raise InvalidRedirectURLError()
    return _gateway_call(
        get_connect_gateway().create_account_link,
        account_id=account.stripe_account_id,
        refresh_url=refresh_url,
        return_url=return_url,
        link_type=link_type,
    )
