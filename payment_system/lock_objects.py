"""Row locks of the payment system, in one place and always in the same order.

The order row (``marketplace.lock_objects.order_for_update``) is locked first, as everywhere; then
its payment, the payment's seller transactions (pk order), their transfers (pk order), a transfer's
reversal before the transfer; refunds after the order. Connect accounts and payouts are locked on
their own (webhooks from Connect touch no order). Every helper must run inside ``transaction.atomic``.
"""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from payment_system.connect.models import Payout, StripeConnectAccount
from payment_system.payments.models import Payment, Refund, SellerTransaction
from payment_system.payouts.models import Transfer, TransferReversal


def connect_account_for_update(account_id: int | str) -> StripeConnectAccount:
    return StripeConnectAccount.objects.select_for_update().get(pk=account_id)


def payout_for_update(stripe_payout_id: str) -> Payout | None:
    return Payout.objects.select_for_update().filter(stripe_payout_id=stripe_payout_id).first()


def payout_get_or_create_for_update(
    *, stripe_payout_id: str, defaults: dict[str, Any]
) -> tuple[Payout, bool]:
    """The payout with this Stripe id, locked; created from ``defaults`` when it is new."""
    return Payout.objects.select_for_update().get_or_create(
        stripe_payout_id=stripe_payout_id, defaults=defaults
    )


def payment_for_update(payment_id: int | str) -> Payment:
    """Lock one payment; ``Payment.DoesNotExist`` when there is none."""
    return Payment.objects.select_for_update().get(pk=payment_id)


def payment_of_order_for_update(order_id: UUID | str) -> Payment | None:
    """Lock the payment of an (already locked) order, if it has one."""
    return Payment.objects.select_for_update().filter(order_id=order_id).first()


def seller_transactions_for_update(payment_id: int | str) -> list[SellerTransaction]:
    """Lock every seller share of a payment, in pk order."""
    return list(SellerTransaction.objects.select_for_update().filter(payment_id=payment_id).order_by("pk"))


def seller_transaction_for_update(seller_transaction_id: int | str) -> SellerTransaction:
    return SellerTransaction.objects.select_for_update().get(pk=seller_transaction_id)


def refund_for_update(lookup: dict[str, object]) -> Refund:
    """Lock a refund (with its payment read), found by ``{"pk": ...}`` or ``{"provider_refund_id": ...}``."""
    return Refund.objects.select_for_update().select_related("payment").get(**lookup)


def transfer_of_seller_transaction_for_update(seller_transaction_id: int) -> Transfer | None:
    return Transfer.objects.select_for_update().filter(seller_transaction_id=seller_transaction_id).first()


def transfers_of_payment_for_update(payment_id: int | str, *, statuses: Iterable[str]) -> list[Transfer]:
    """Lock the payment's transfers in the given statuses (with their seller share read), in pk order."""
    return list(
        Transfer.objects.select_for_update()
        .select_related("seller_transaction")
        .filter(seller_transaction__payment_id=payment_id, status__in=list(statuses))
        .order_by("pk")
    )


def transfer_reversal_for_update(reversal_id: int | str) -> tuple[TransferReversal, Transfer]:
    """Lock a reversal, then its transfer."""
    reversal = TransferReversal.objects.select_for_update().get(pk=reversal_id)
    return reversal, Transfer.objects.select_for_update().get(pk=reversal.transfer_id)
