"""Reads of sellers' connected accounts and payouts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from payment_system.connect.models import StripeConnectAccount

if TYPE_CHECKING:
    from authentication.models import User


TWO_FACTOR_REQUIRED = "Two-factor authentication (2FA) must be enabled before you can set up payouts."
PASSWORD_REQUIRED = "Set a password on your account before connecting Stripe."  # noqa: S105 - a message
SELLER_ROLE_REQUIRED = "Only approved sellers can connect a Stripe account."


def connect_account_get_for_seller(*, seller: User) -> StripeConnectAccount | None:
    return StripeConnectAccount.objects.filter(seller=seller).first()


def connect_account_get_by_stripe_id(*, stripe_account_id: str) -> StripeConnectAccount | None:
    return (
        StripeConnectAccount.objects.select_related("seller")
        .filter(stripe_account_id=stripe_account_id)
        .first()
    )


def connect_account_eligibility_errors(*, user: User) -> list[str]:
    """Why ``user`` may not create a connected account (empty when they may). Texts per §3.2."""
    errors: list[str] = []
    if not user.is_seller:
        errors.append(SELLER_ROLE_REQUIRED)
    if not user.two_factor_enabled:
        errors.append(TWO_FACTOR_REQUIRED)
    if not user.has_usable_password():
        errors.append(PASSWORD_REQUIRED)
    return errors


STATUS_MESSAGES = {
    StripeConnectAccount.Status.ONBOARDING: "Finish your Stripe onboarding to start receiving payouts.",
    StripeConnectAccount.Status.PENDING_VERIFICATION: (
        "Stripe is reviewing your details. Payouts start once verification is complete."
    ),
    StripeConnectAccount.Status.RESTRICTED: "Stripe needs more information from you before payouts can continue.",
    StripeConnectAccount.Status.ACTIVE: "Your Stripe account is ready to receive payouts.",
}
NOT_CREATED_MESSAGE = "Connect a Stripe account to receive payouts for your sales."


def connect_account_status_for_seller(*, seller: User) -> dict[str, Any]:
    """The E54 account-status object (C11), from the stored state: no call to Stripe."""
    account = connect_account_get_for_seller(seller=seller)
    if account is None:
        errors = connect_account_eligibility_errors(user=seller)
        return {
            "has_stripe_account": False,
            "has_account": False,
            "account_id": None,
            "status": "not_created",
            "details_submitted": False,
            "charges_enabled": False,
            "payouts_enabled": False,
            "requirements": {"currently_due": [], "past_due": []},
            "message": errors[0] if errors else NOT_CREATED_MESSAGE,
            "eligible_for_creation": not errors,
            "eligibility_errors": errors,
        }
    status = account.status
    return {
        "has_stripe_account": True,
        "has_account": True,
        "account_id": account.stripe_account_id,
        "status": status.value,
        "details_submitted": account.details_submitted,
        "charges_enabled": account.charges_enabled,
        "payouts_enabled": account.payouts_enabled,
        "requirements": {
            "currently_due": list(account.requirements_currently_due),
            "past_due": list(account.requirements_past_due),
        },
        "message": STATUS_MESSAGES[status],
        # E52 answers 200 with the existing account.
        "eligible_for_creation": True,
        "eligibility_errors": [],
    }
