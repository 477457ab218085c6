"""When a held seller transaction may be released, and how much goes to the seller.

Shared by the release service (which enforces them under the row lock) and the seller's holds
view (which explains them), so both always agree.
"""

from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from designiaBackend.currencies import quantize_money
from designiaBackend.money import ZERO
from payment_system.connect.models import StripeConnectAccount

if TYPE_CHECKING:
    from marketplace.ordering.models import Order
    from payment_system.payments.models import SellerTransaction
    from payment_system.payouts.models import Transfer


class HoldReason:
    HOLD_PERIOD = "hold_period"  # ``held_until`` is in the future
    HELD_BY_STAFF = "held_by_staff"  # no release date: staff paused it
    DISPUTE = "dispute"  # the order needs review (a dispute or a payment problem)
    OPEN_RETURN = "open_return"  # a return request waits for the seller's decision
    PAYOUTS_NOT_ENABLED = "payouts_not_enabled"  # no payout-ready connected account
    TRANSFER_FAILED = "transfer_failed"  # Stripe refused the transfer; staff must retry it

    CHOICES = (HOLD_PERIOD, HELD_BY_STAFF, DISPUTE, OPEN_RETURN, PAYOUTS_NOT_ENABLED, TRANSFER_FAILED)


def account_is_payout_ready(account: StripeConnectAccount | None) -> bool:
    return account is not None and account.status == StripeConnectAccount.Status.ACTIVE


def order_has_open_return(order: "Order") -> bool:
    return any(r.status == r.Status.REQUESTED for r in order.return_requests.all())


def blocking_reason(
    *, order: "Order", account: StripeConnectAccount | None, transfer: "Transfer | None" = None
) -> str | None:
    """Why a due transaction may not be transferred now (``None``: it may)."""
    if order.needs_review:
        return HoldReason.DISPUTE
    if order_has_open_return(order):
        return HoldReason.OPEN_RETURN
    if not account_is_payout_ready(account):
        return HoldReason.PAYOUTS_NOT_ENABLED
    if transfer is not None and transfer.status == "failed" and not transfer.failure_retryable:
        return HoldReason.TRANSFER_FAILED
    return None


def hold_reason(
    *,
    seller_transaction: "SellerTransaction",
    order: "Order",
    account: StripeConnectAccount | None,
    transfer: "Transfer | None",
    now: datetime,
) -> str | None:
    """The reason shown for a held transaction: the time rule first, then what blocks it."""
    if seller_transaction.held_until is None:
        return HoldReason.HELD_BY_STAFF
    if seller_transaction.held_until > now:
        return HoldReason.HOLD_PERIOD
    return blocking_reason(order=order, account=account, transfer=transfer)


def releasable_amount(seller_transaction: "SellerTransaction") -> Decimal:
    """The seller's net, less their share of refunds made before release, in whole minor units."""
    row = seller_transaction
    if row.gross_amount <= ZERO:
        return ZERO
    remaining = max(row.gross_amount - row.refunded_amount, ZERO)
    amount = row.net_amount * remaining / row.gross_amount
    return max(quantize_money(amount, row.currency, ROUND_DOWN, settlement=True), ZERO)
